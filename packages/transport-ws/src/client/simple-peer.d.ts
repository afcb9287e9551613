// simple-peer ships no types: its shape lives in peer-connection.ts, which is how this package's
// code (and so its published declarations) sees the module.
declare module '@thaunknown/simple-peer/lite.js' {
  const SimplePeer: unknown;
  export default SimplePeer;
}
