'use strict';
// Preloaded into the benchmarked CLI (NODE_OPTIONS=--require ...): when the process exits,
// appends its resource usage as one JSON line to the file named by NETREACH_BENCH_RUSAGE.
// maxRSS is the kernel's high-water mark of the resident set, in bytes; CPU times in µs.
const { appendFileSync } = require('node:fs');

const file = process.env.NETREACH_BENCH_RUSAGE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const record = {
      pid: process.pid,
      maxRSS: usage.maxRSS * 1024,
      user: usage.userCPUTime,
      system: usage.systemCPUTime,
    };
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  });
}
