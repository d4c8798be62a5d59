#include <oniguruma.h>

/* onig_error_code_to_str is variadic, which Swift cannot call: this fixes
   its arguments (the error info is only read for codes that name a part of
   the pattern). */
static inline int lmshard_onig_error_text(OnigUChar* buffer, int code, OnigErrorInfo* info) {
    return info ? onig_error_code_to_str(buffer, code, info) : onig_error_code_to_str(buffer, code);
}
