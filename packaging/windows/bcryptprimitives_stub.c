/* A stand-in for Windows' bcryptprimitives.dll, for running the test suite under Wine only.

   Programs built with Rust 1.78 or later take their random numbers from ProcessPrng in
   bcryptprimitives.dll, which Windows 10 and later ship and Wine 8 lacks: cryptography's _rust.pyd
   then fails with "DLL load failed while importing _rust: Module not found" (the test suite's TLS
   sandbox and company roots use it, and the app loads it to name a refused certificate's issuer,
   desktop_app/service/tls.py; the self-test does not). This DLL exports ProcessPrng and fills the
   buffer from RtlGenRandom (advapi32's SystemFunction036), which Wine implements.
   packaging/windows/wine.sh builds it with gcc-mingw-w64-x86-64 and puts it in the Wine prefix's
   system32 only: it never goes into the bundle or the installer, which use the real DLL of the
   Windows they run on. */

#include <windows.h>

#define RtlGenRandom SystemFunction036
BOOLEAN WINAPI RtlGenRandom(PVOID buffer, ULONG length);

/* As documented: it never fails (a failure of the system's generator ends the process). */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!RtlGenRandom(data, chunk)) {
            ExitProcess(0xC00000E5); /* STATUS_INTERNAL_ERROR */
        }
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
