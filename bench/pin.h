/*
 * pin.h - keep the one-process measurements on one CPU. A process that
 * moves between CPUs part-way lands its figure and its floor on different
 * ones, and on a VM the two can differ by a tenth.
 */
#ifndef BENCH_PIN_H
#define BENCH_PIN_H

/* Pin this process to the CPU it runs on; the CPU, or -1 if it cannot. */
int pin_here(void);
/* Give back the CPUs it had before pin_here(), for the reader processes. */
void unpin(void);

#endif /* BENCH_PIN_H */
