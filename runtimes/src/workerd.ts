// workerd: bundled with the scenario texts (the `scenarios` module, made at bundle time) and run
// by `workerd test`, which calls this test handler; a failure makes it exit non-zero.
import scenarios from 'webraft:scenarios';
import { formatReport, runSuites } from './suites.ts';

export default {
  async test(): Promise<void> {
    const report = await runSuites(scenarios);
    console.log(formatReport('workerd', report));
    if (report.failed.length > 0) throw new Error(`${report.failed.length} cases failed in workerd`);
  },
};
