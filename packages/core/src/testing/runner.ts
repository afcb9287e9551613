/** One check of a conformance suite: `run` throws (a ConformanceError) when the implementation breaks a rule. */
export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

/** The shape shared by vitest/jest/mocha (`describe`, `it`); for Deno pass `{ it: (name, fn) => Deno.test(name, fn) }`. */
export interface ConformanceRunner {
  describe?(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
}

export interface RunConformanceOptions {
  /** Title of the enclosing `describe` block, when the runner has one. */
  readonly title?: string;
  /** Per-case timeout handed to `it` as its third argument. */
  readonly timeoutMs?: number;
}

/** Registers every case with the runner's `it` (inside one `describe` when available). */
export function runConformance(
  cases: readonly ConformanceCase[],
  runner: ConformanceRunner,
  options: RunConformanceOptions = {},
): void {
  const register = (): void => {
    for (const c of cases) {
      if (options.timeoutMs === undefined) runner.it(c.name, () => c.run());
      else runner.it(c.name, () => c.run(), options.timeoutMs);
    }
  };
  if (runner.describe !== undefined && options.title !== undefined) runner.describe(options.title, register);
  else register();
}

/** Runs cases one after another without a test runner (e.g. in a bare browser page). */
export async function runCases(
  cases: readonly ConformanceCase[],
): Promise<{ readonly passed: string[]; readonly failed: { readonly name: string; readonly error: unknown }[] }> {
  const passed: string[] = [];
  const failed: { name: string; error: unknown }[] = [];
  for (const c of cases) {
    try {
      await c.run();
      passed.push(c.name);
    } catch (error) {
      failed.push({ name: c.name, error });
    }
  }
  return { passed, failed };
}
