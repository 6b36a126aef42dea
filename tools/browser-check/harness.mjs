// What every browser check shares: checks that stop the run at the first failure, the summary
// lines CI and people read ("N passed, M failed", then PASS or FAIL), and a watchdog, so a run
// stops by itself whatever hangs. Exit: 0 when every check passed, 1 when one failed, 2 on the
// watchdog.

const results = [];

/** Records a check; a failed one ends the run (the rest would only fail after it). */
export function check(name, ok, detail = '') {
  results.push({ name, ok: !!ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? '  -- ' + detail : ''}`);
  if (!ok) throw new Error(`check failed: ${name}${detail ? ' -- ' + detail : ''}`);
}

/**
 * Runs `main`, then `cleanup` (bounded: a browser that hangs on close does not hold the run),
 * prints the summary and exits. `passes` says what works when every check passed.
 */
export async function runChecks(main, { passes, totalMs, cleanup }) {
  const summary = () => {
    const passed = results.filter(r => r.ok).length;
    const failed = results.length - passed;
    console.log('');
    console.log(`${passed} passed, ${failed} failed`);
    console.log(failed === 0 && passed > 0 ? `PASS: ${passes}` : 'FAIL: see the FAIL lines above');
  };
  const watchdog = setTimeout(() => {
    console.error(`FAIL: overall timeout of ${totalMs} ms reached`);
    summary();
    process.exit(2);
  }, totalMs);
  let failed = false;
  try {
    await main();
  } catch (e) {
    failed = true;
    if (!results.some(r => !r.ok)) { // an error that no check reported yet
      results.push({ name: 'unexpected error', ok: false, detail: e.message });
      console.log(`FAIL  unexpected error  -- ${e.stack || e.message}`);
    }
  } finally {
    await Promise.race([Promise.resolve().then(cleanup).catch(() => {}), new Promise(r => setTimeout(r, 5000))]);
    clearTimeout(watchdog);
  }
  summary();
  process.exit(failed || results.some(r => !r.ok) ? 1 : 0);
}
