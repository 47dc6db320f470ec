/**
 * Turns: at most `size` holders at a time, the rest waiting in order. `take()` resolves when a
 * turn is free with the function that gives it back (calling it again does nothing).
 */
export class Turns {
  readonly #size: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  take(): Promise<() => void> {
    return new Promise((resolve) => {
      const start = () => {
        this.#held += 1;
        let given = false;
        resolve(() => {
          if (given) return;
          given = true;
          this.#held -= 1;
          this.#waiting.shift()?.();
        });
      };
      if (this.#held < this.#size) start();
      else this.#waiting.push(start);
    });
  }
}
