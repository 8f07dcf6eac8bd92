/* A stand-in for Windows' icuuc.dll, for running the Windows build under Wine only.

   Qt6Core.dll (PySide6's Windows wheel) imports ICU's converter functions from the icuuc.dll that
   Windows 10 and later ship; Wine 8 has none, so "DLL load failed while importing QtCore". This
   DLL exports the same functions (packaging/windows/wine.sh checks the list against Qt6Core's
   imports) and answers every converter request with "no converter": ucnv_open fails, and Qt falls
   back to its own codecs (UTF-8, UTF-16, Latin-1), which is all the app uses. wine.sh builds it
   with Debian's gcc-mingw-w64-x86-64 and puts it in the Wine prefix's system32 only: it never goes
   into the bundle or the installer, which use the real icuuc.dll of the Windows they run on. */

#include <stddef.h>
#include <stdint.h>

typedef int UErrorCode;
typedef uint16_t UChar;
typedef struct UConverter UConverter;
typedef void (*UConverterCallback)(void);

#define EXPORT __declspec(dllexport)
#define U_FILE_ACCESS_ERROR 4 /* what ICU answers for a converter it has no data for */

static void no_converter(UErrorCode *error) {
    if (error != NULL && *error <= 0) {
        *error = U_FILE_ACCESS_ERROR;
    }
}

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *error) {
    (void)name;
    no_converter(error);
    return NULL;
}

EXPORT void ucnv_close(UConverter *converter) { (void)converter; }

EXPORT void ucnv_reset(UConverter *converter) { (void)converter; }

EXPORT int8_t ucnv_getMaxCharSize(const UConverter *converter) {
    (void)converter;
    return 1;
}

EXPORT const char *ucnv_getName(const UConverter *converter, UErrorCode *error) {
    (void)converter;
    no_converter(error);
    return NULL;
}

EXPORT void ucnv_getToUCallBack(const UConverter *converter, UConverterCallback *action, const void **context) {
    (void)converter;
    if (action != NULL) *action = NULL;
    if (context != NULL) *context = NULL;
}

EXPORT void ucnv_getFromUCallBack(const UConverter *converter, UConverterCallback *action, const void **context) {
    (void)converter;
    if (action != NULL) *action = NULL;
    if (context != NULL) *context = NULL;
}

EXPORT void ucnv_setToUCallBack(UConverter *converter, UConverterCallback action, const void *context,
                                UConverterCallback *old_action, const void **old_context, UErrorCode *error) {
    (void)converter, (void)action, (void)context, (void)old_action, (void)old_context;
    no_converter(error);
}

EXPORT void ucnv_setFromUCallBack(UConverter *converter, UConverterCallback action, const void *context,
                                  UConverterCallback *old_action, const void **old_context, UErrorCode *error) {
    (void)converter, (void)action, (void)context, (void)old_action, (void)old_context;
    no_converter(error);
}

EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length,
                                            int32_t code_point, int reason, UErrorCode *error) {
    (void)context, (void)args, (void)units, (void)length, (void)code_point, (void)reason;
    no_converter(error);
}

EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length,
                                          int reason, UErrorCode *error) {
    (void)context, (void)args, (void)units, (void)length, (void)reason;
    no_converter(error);
}

EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offset_index,
                                  UErrorCode *error) {
    (void)args, (void)source, (void)length, (void)offset_index;
    no_converter(error);
}

EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *source_limit,
                                    int32_t offset_index, UErrorCode *error) {
    (void)args, (void)source, (void)source_limit, (void)offset_index;
    no_converter(error);
}

EXPORT void ucnv_toUnicode(UConverter *converter, UChar **target, const UChar *target_limit, const char **source,
                           const char *source_limit, int32_t *offsets, int8_t flush, UErrorCode *error) {
    (void)converter, (void)target, (void)target_limit, (void)source, (void)source_limit, (void)offsets, (void)flush;
    no_converter(error);
}

EXPORT void ucnv_fromUnicode(UConverter *converter, char **target, const char *target_limit, const UChar **source,
                             const UChar *source_limit, int32_t *offsets, int8_t flush, UErrorCode *error) {
    (void)converter, (void)target, (void)target_limit, (void)source, (void)source_limit, (void)offsets, (void)flush;
    no_converter(error);
}

EXPORT int32_t ucnv_toUCountPending(const UConverter *converter, UErrorCode *error) {
    (void)converter;
    no_converter(error);
    return 0;
}

EXPORT int32_t ucnv_fromUCountPending(const UConverter *converter, UErrorCode *error) {
    (void)converter;
    no_converter(error);
    return 0;
}

EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *error) {
    (void)name, (void)standard;
    no_converter(error);
    return NULL;
}

EXPORT const char *ucnv_getAvailableName(int32_t n) {
    (void)n;
    return NULL;
}

EXPORT int32_t ucnv_countAvailable(void) { return 0; }
