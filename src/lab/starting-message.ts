/** The words of the status bar item that shows kernels starting (see `starting-status.ts`). */
import { KERNEL_DISPLAY_NAME } from '../protocol';

/**
 * What the status bar says about the kernels starting now, given the step each
 * is at (`undefined`: not told yet); `undefined` when none is starting.
 */
export function startingMessage(steps: (string | undefined)[]): string | undefined {
  if (steps.length === 0) {
    return undefined;
  }
  if (steps.length > 1) {
    return `${steps.length} ${KERNEL_DISPLAY_NAME} kernels are starting…`;
  }
  return `${KERNEL_DISPLAY_NAME} is starting${steps[0] ? `: ${steps[0]}` : ''}…`;
}
