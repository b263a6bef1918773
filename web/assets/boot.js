// Starts the Miricat wasm app. This is a file rather than trunk's inline loader so
// the page works under the Content-Security-Policy `script-src 'self'
// 'wasm-unsafe-eval'`; trunk writes the hashed file names into the data attributes
// of the <script> tag that loads this module (see Trunk.toml's pattern_script).
const tag = document.querySelector("script[data-wasm][data-js]");
const bindings = await import(tag.dataset.js);
await bindings.default({ module_or_path: tag.dataset.wasm });
