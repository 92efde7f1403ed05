/**
 * Another client, asking the server a cheap question over and over while an attack runs. A
 * question not answered within `patienceMs` is a miss: the server was stalled for that client.
 */
import type { Endpoint } from "./client.ts";

export class Heartbeat {
  answered = 0;
  readonly misses: string[] = [];
  #running = false;
  #loop: Promise<void> | null = null;

  constructor(
    readonly endpoint: Endpoint,
    readonly patienceMs = 3_000,
    readonly intervalMs = 100,
  ) {}

  start(): this {
    this.#running = true;
    this.#loop = this.#run();
    return this;
  }

  async stop(): Promise<{ answered: number; misses: string[] }> {
    this.#running = false;
    await this.#loop;
    return { answered: this.answered, misses: this.misses };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const asked = new Date().toISOString();
      try {
        const response = await fetch(this.endpoint.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(this.endpoint.token ? { authorization: `Bearer ${this.endpoint.token}` } : {}),
          },
          body: JSON.stringify({ query: "{ __typename }" }),
          signal: AbortSignal.timeout(this.patienceMs),
        });
        await response.text();
        if (response.ok) this.answered += 1;
        else this.misses.push(`${asked}: HTTP ${response.status}`);
      } catch (error) {
        this.misses.push(`${asked}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
