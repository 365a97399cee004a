// Vite's `?url` imports (used by the browser tests) give the served URL of a file as a string.
declare module '*?url' {
  const url: string;
  export default url;
}
