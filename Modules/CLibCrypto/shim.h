#ifndef SCRIPTPIN_CLIBCRYPTO_SHIM_H
#define SCRIPTPIN_CLIBCRYPTO_SHIM_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

/* EVP_MD_size is a function-like macro in OpenSSL 3, which Swift cannot
   import; EVP_MD_get_size is the real function behind it. */
static inline int scriptpin_evp_md_size(const EVP_MD *md) {
    return EVP_MD_get_size(md);
}

#endif
