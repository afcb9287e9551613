// A test build whose page only imports the hooks' side-effect entry.
import '@webraft/playwright/install';
