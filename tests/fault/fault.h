/*
 * fault.h - what the fault tests share: the harness, and the Perl format's
 * white-box helpers, since every fault test corrupts or counts that
 * format's segments and semaphores from outside the library. Each test
 * runs under test_case_sweep(): a killed writer or a scribbled chain can
 * leave objects that no handle names.
 */
#ifndef SHARELITE_FAULT_H
#define SHARELITE_FAULT_H

#include "ipcsl.h"

#endif /* SHARELITE_FAULT_H */
