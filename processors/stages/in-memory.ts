/**
 * The in-memory exchange (embedded mode and `replay`): one FIFO queue drained to completion
 * after each input record, so the stages run as if in one loop and the outcome is the same
 * however many instances of each stage the keys are spread over.
 */
import { instanceOf } from './keys.ts';
import type { HandOver, StageMessage, StageName } from './messages.ts';

export type Instances = Readonly<Record<StageName, number>>;

type Delivery = { readonly stage: StageName; readonly instance: number; readonly message: StageMessage };

export class InMemoryHandOver implements HandOver {
  private readonly queue: Delivery[] = [];
  private head = 0;

  constructor(readonly instances: Instances) {}

  send(stage: StageName, key: string, message: StageMessage): void {
    this.queue.push({ stage, instance: instanceOf(key, this.instances[stage]), message });
  }

  broadcast(stage: StageName, message: StageMessage): void {
    for (let i = 0; i < this.instances[stage]; i++) this.queue.push({ stage, instance: i, message });
  }

  /** Delivers until nothing is left; deliveries may send more. */
  drain(deliver: (stage: StageName, instance: number, message: StageMessage) => void): void {
    while (this.head < this.queue.length) {
      const d = this.queue[this.head++]!;
      deliver(d.stage, d.instance, d.message);
    }
    this.queue.length = 0;
    this.head = 0;
  }
}
