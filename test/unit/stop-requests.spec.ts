/**
 * PolledStops (src/worker/stop-requests.ts): what Pyodide reads as its interrupt
 * buffer in a worker without shared memory. A fake clock and a scripted page
 * stand in for time and for JupyterLite's service worker.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { INTERRUPT_SIGNAL } from '../../src/protocol';
import { askPage, PolledStops, STOP_POLL_INTERVAL_MS, STOP_POLL_MAX_INTERVAL_MS } from '../../src/worker/stop-requests';

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
  );
  /** What Pyodide's eval loop does every few dozen checks: read element 0, write 0 back. */
  const check = (): number => {
    const signal = flag[0];
    flag[0] = 0;
    return signal;
  };
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

  test('slow answers are asked for less often, but at least every 400 ms', () => {
    const slow = setUp(10); // 10 ms an answer: every 400 ms keeps asking at 2.5 % of the time
    slow.flag.running();
    slow.clock.now += STOP_POLL_INTERVAL_MS;
    slow.check();
    slow.clock.now += STOP_POLL_MAX_INTERVAL_MS - 1;
    slow.check();
    assert.equal(slow.page.asked, 1);
    slow.clock.now += 1;
    slow.check();
    assert.equal(slow.page.asked, 2);
    const slower = setUp(50); // never less often than every 400 ms, whatever it costs
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
