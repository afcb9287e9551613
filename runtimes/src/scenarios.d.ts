/** The core's scenario scripts, file name → text, embedded by the workerd bundle (bundle.ts). */
declare module 'webraft:scenarios' {
  const scenarios: Readonly<Record<string, string>>;
  export default scenarios;
}
