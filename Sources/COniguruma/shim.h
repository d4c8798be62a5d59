#include <oniguruma.h>

/* onig_error_code_to_str is variadic, which Swift cannot call: this fixes
   its arguments (the error info is only read for codes that name a part of
   the pattern). */
static inline int lmshard_onig_error_text(OnigUChar* buffer, int code, OnigErrorInfo* info) {
    return info ? onig_error_code_to_str(buffer, code, info) : onig_error_code_to_str(buffer, code);
}

/* The library's encoding and default syntax are C globals, which Swift 6
   does not let code read directly (shared mutable state); both are written
   only by the library's own initialisation, so reading them through these
   functions is safe. */
static inline OnigEncodingType lmshard_onig_utf8_encoding(void) { return OnigEncodingUTF8; }
static inline OnigSyntaxType* lmshard_onig_default_syntax(void) { return OnigDefaultSyntax; }
