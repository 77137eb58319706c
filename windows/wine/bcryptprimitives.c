/*
 * A stand-in for bcryptprimitives.dll, for the tests under Wine only: it is
 * never shipped. Go's runtime (1.22 and later) takes its random bytes from
 * ProcessPrng in bcryptprimitives.dll, which every Windows that Go supports
 * (10 and later) has, and which Debian 12's Wine 8.0 lacks: a Go program
 * there dies with "bcryptprimitives.dll not found" before main. This one
 * answers ProcessPrng from bcrypt.dll's system RNG, which Wine has.
 * make test-windows builds it with mingw-w64 into the test's Wine prefix.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
