/**
 * PolledStops (src/worker/stop-requests.ts): what Pyodide reads as its interrupt
 * buffer in a worker without shared memory. A fake clock and a scripted page
 * stand in for time and for JupyterLite's service worker.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { INTERRUPT_SIGNAL } from '../../src/protocol';
import {
  askPage,
  installPolledStops,
  PolledStops,
  STOP_POLL_INTERVAL_MS,
  STOP_POLL_MAX_INTERVAL_MS,
} from '../../src/worker/stop-requests';

/** A page whose Stop count the test sets, asked through a clock the test moves. */
function setUp(answerCost = 1) {
  const clock = { now: 0 };
  const page = { stops: 0, asked: 0, answers: true };
  let gaveUp = 0;
  const flag = new PolledStops(
    () => {
      page.asked += 1;
      clock.now += answerCost;
      return page.answers ? page.stops : undefined;
    },
    () => void (gaveUp += 1),
    STOP_POLL_INTERVAL_MS,
    () => clock.now,
    1, // read the clock on every check
  );
  /** What Pyodide's eval loop does every few dozen checks. */
  const check = (): number => flag.check();
  return { clock, page, flag, check, gaveUp: () => gaveUp };
}

describe('PolledStops', () => {
  test('asks nothing until Python has run for the interval, then once per interval', () => {
    const { clock, page, flag, check } = setUp();
    assert.equal(check(), 0);
    assert.equal(page.asked, 0, 'nothing runs: no question');
    flag.running();
    clock.now += STOP_POLL_INTERVAL_MS - 1;
    assert.equal(check(), 0);
    assert.equal(page.asked, 0, 'a short cell never waits for the page');
    clock.now += 1;
    check();
    check();
    assert.equal(page.asked, 1);
    clock.now += STOP_POLL_INTERVAL_MS;
    check();
    assert.equal(page.asked, 2);
  });

  test('a Stop is a SIGINT once; one delivered at an await is not repeated', () => {
    const { clock, page, flag, check } = setUp();
    flag.running();
    clock.now += STOP_POLL_INTERVAL_MS;
    page.stops = 1;
    assert.equal(check(), INTERRUPT_SIGNAL);
    clock.now += STOP_POLL_INTERVAL_MS;
    assert.equal(check(), 0, 'the same count again is no new Stop');
    page.stops = 2;
    flag.delivered(2); // the cell was waiting, and the interrupt message reached it first
    clock.now += STOP_POLL_INTERVAL_MS;
    assert.equal(check(), 0);
    page.stops = 3;
    clock.now += STOP_POLL_INTERVAL_MS;
    assert.equal(check(), INTERRUPT_SIGNAL);
  });

  test('slow answers are asked for less often, but at least every 250 ms', () => {
    const slow = setUp(5); // 5 ms an answer: every 250 ms keeps asking at 2 % of the time
    slow.flag.running();
    slow.clock.now += STOP_POLL_INTERVAL_MS;
    slow.check();
    slow.clock.now += STOP_POLL_MAX_INTERVAL_MS - 1;
    slow.check();
    assert.equal(slow.page.asked, 1);
    slow.clock.now += 1;
    slow.check();
    assert.equal(slow.page.asked, 2);
    const slower = setUp(50); // never less often than every 250 ms, whatever it costs
    slower.flag.running();
    slower.clock.now += STOP_POLL_INTERVAL_MS;
    slower.check();
    slower.clock.now += STOP_POLL_MAX_INTERVAL_MS;
    slower.check();
    assert.equal(slower.page.asked, 2);
  });

  test('a page that does not answer is given up on, said once, and never asked again', () => {
    const { clock, page, flag, check, gaveUp } = setUp();
    page.answers = false;
    flag.running();
    clock.now += STOP_POLL_INTERVAL_MS;
    assert.equal(check(), 0);
    clock.now += 10 * STOP_POLL_INTERVAL_MS;
    flag.running();
    clock.now += STOP_POLL_INTERVAL_MS;
    assert.equal(check(), 0);
    assert.equal(page.asked, 1);
    assert.equal(gaveUp(), 1);
  });
});

describe('askPage', () => {
  const target = { url: 'http://site/api/stdin/sync-kernel-stop', browsingContextId: 'b', kernelId: 'k1' };

  test('posts the question the service worker relays, and reads the count for this kernel', () => {
    const posted: [string, string][] = [];
    const ask = askPage((url, body) => {
      posted.push([url, body]);
      return JSON.stringify({ kernelId: 'k1', stops: 3 });
    }, target);
    assert.equal(ask(), 3);
    assert.deepEqual(posted, [[target.url, JSON.stringify({ browsingContextId: 'b', data: { kernelId: 'k1' } })]]);
  });

  test('an answer meant for another kernel counts as the last one; a failed request as none', () => {
    const answers = [
      { kernelId: 'k1', stops: 2 },
      { kernelId: 'k2', stops: 9 },
    ];
    let fail = false;
    const ask = askPage(() => (fail ? undefined : JSON.stringify(answers.shift())), target);
    assert.equal(ask(), 2);
    assert.equal(ask(), 2, "another kernel's answer (the service worker matched it to this page only)");
    fail = true;
    assert.equal(ask(), undefined);
  });
});

describe('installPolledStops', () => {
  test("Pyodide's own reads of its interrupt buffer see a Stop once, and the clock is read rarely", () => {
    let clockReads = 0;
    const clock = { now: 0 };
    const page = { stops: 0 };
    const flag = new PolledStops(
      () => page.stops,
      () => undefined,
      STOP_POLL_INTERVAL_MS,
      () => {
        clockReads += 1;
        return clock.now;
      },
    );
    const module: { Py_EmscriptenSignalBuffer?: { [index: number]: number } } = {};
    const pyodide = {
      _module: module,
      setInterruptBuffer(buffer: Int32Array) {
        module.Py_EmscriptenSignalBuffer = buffer;
      },
    };
    installPolledStops(pyodide, flag);
    /** What Pyodide's `_Py_CheckEmscriptenSignals_Helper` does. */
    const pyodideChecks = (): number => {
      if (!module.Py_EmscriptenSignalBuffer) {
        return 0;
      }
      const signal = module.Py_EmscriptenSignalBuffer[0];
      module.Py_EmscriptenSignalBuffer[0] = 0;
      return signal;
    };
    flag.running();
    const signals: number[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i % 97 === 0) {
        clock.now += STOP_POLL_INTERVAL_MS;
        page.stops += 1; // found at whichever of Pyodide's three reads comes next
      }
      signals.push(pyodideChecks());
    }
    assert.equal(signals.filter((s) => s === INTERRUPT_SIGNAL).length, page.stops, 'every Stop, once');
    // Three property reads per check, the clock once per 128 of them, and twice per question.
    const questions = page.stops;
    assert.ok(clockReads <= (3 * 1000) / 128 + 2 * questions + 2, `the clock was read ${clockReads} times`);
  });
});
