/**
 * Background steps (src/worker/idle-steps.ts) start only once the kernel has been idle for a while,
 * never while a cell runs, at once when someone asks, and stop at the first failure.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { IdleSteps } from '../../src/worker/idle-steps';

/** Steps that record when they ran (in mocked milliseconds); step `fails` throws. */
function recorder(count: number, fails = -1) {
  const ran: [number, number][] = [];
  const errors: unknown[] = [];
  const steps = Array.from({ length: count }, (_, i) => () => {
    ran.push([i, Date.now()]);
    if (i === fails) {
      throw new Error(`step ${i} failed`);
    }
  });
  return { ran, errors, steps };
}

/** Let the promise chain of a finished step settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('steps while idle', () => {
  test('nothing is taken until someone asks, not even when a cell ends', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { ran, steps } = recorder(1);
    const idle = new IdleSteps(steps, () => undefined, 1000);
    idle.busy();
    idle.idle();
    t.mock.timers.tick(10_000);
    await settle();
    assert.deepEqual(ran, []);
    assert.equal(idle.done, false);
  });

  test('asked, the first step comes at once and each next one after the idle time', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { ran, steps } = recorder(2);
    const idle = new IdleSteps(steps, () => undefined, 1000);
    idle.soon();
    t.mock.timers.tick(0);
    await settle();
    assert.deepEqual(ran, [[0, 0]]);
    t.mock.timers.tick(999);
    assert.equal(ran.length, 1);
    t.mock.timers.tick(1);
    await settle();
    assert.deepEqual(ran, [
      [0, 0],
      [1, 1000],
    ]);
    assert.equal(idle.done, true);
  });

  test('no step starts while a cell runs; the idle time counts from the end of the last cell', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { ran, steps } = recorder(1);
    const idle = new IdleSteps(steps, () => undefined, 1000);
    t.mock.timers.tick(500);
    idle.busy();
    idle.busy(); // a second request (a comm message) during the cell
    idle.soon(); // asked during the cell: taken once the kernel has been idle for the idle time
    t.mock.timers.tick(5000);
    idle.idle();
    t.mock.timers.tick(5000);
    assert.deepEqual(ran, [], 'one of the two is still running');
    idle.idle();
    t.mock.timers.tick(999);
    assert.deepEqual(ran, []);
    t.mock.timers.tick(1);
    await settle();
    assert.deepEqual(ran, [[0, 11500]]);
  });

  test('soon() takes the next step at once when idle, and only after the cell when busy', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { ran, steps } = recorder(2);
    const idle = new IdleSteps(steps, () => undefined, 1000);
    idle.soon();
    t.mock.timers.tick(0);
    await settle();
    assert.deepEqual(ran, [[0, 0]]);
    idle.busy();
    idle.soon();
    t.mock.timers.tick(100);
    assert.equal(ran.length, 1);
    idle.idle();
    t.mock.timers.tick(1000);
    await settle();
    assert.deepEqual(ran[1], [1, 1100]);
  });

  test('a failed step is reported once and the steps after it are dropped', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const { ran, errors, steps } = recorder(3, 0);
    const idle = new IdleSteps(steps, (error) => errors.push(error), 10);
    idle.soon();
    for (let i = 0; i < 5; i++) {
      t.mock.timers.tick(10);
      await settle();
    }
    assert.deepEqual(
      ran.map(([i]) => i),
      [0],
    );
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /step 0 failed/);
    assert.equal(idle.done, true);
  });
});
