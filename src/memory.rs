//! How portlint asks the C library's allocator to keep the memory it frees.
//!
//! glibc's malloc hands the freed top of its heap back to the kernel once more than 128 KiB is
//! free, and serves every block over 128 KiB (a token list, a rule vector) with its own `mmap`,
//! unmapped again on free. portlint allocates a file's model, reads it, reports and frees it, file
//! after file (a pre-commit run passes it dozens), so with those defaults every file faults its
//! pages in again: on the generated 1,000-rule ruleset a fifth of the time went to the kernel's
//! page-fault and unmap paths (`perf record`). Keeping the pages costs no peak memory: the heap
//! never grows past the largest file's working set, which was resident anyway.

/// Raises glibc's trim and mmap thresholds so that freed memory stays in the process for the
/// next file. Call it once, before any thread starts; `main` and the throughput bench do.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_pages() {
    /// Never trim the heap: a lint run is short, and its peak is what it holds anyway.
    const TRIM_THRESHOLD: libc::c_int = 1 << 30;
    /// glibc's largest mmap threshold on 64-bit (`HEAP_MAX_SIZE / 2`); blocks above it (a
    /// ruleset of more than a million rules) still get their own mapping.
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    // SAFETY: mallopt only sets malloc's tuning parameters; it takes no pointers, and it runs
    // before any other thread exists, so no allocation is in flight.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// Other C libraries and allocators: nothing to tune.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_pages() {}
