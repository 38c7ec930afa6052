/*
 * Worker thread for schema-validator.ts: runs libxml2's xmllint (the xmllint-wasm build) many
 * times from one compiled WebAssembly module.
 *
 * Why not xmllint-wasm's own validateXML(): it starts a new Worker thread and recompiles the
 * 860 kB wasm module on every call (measured ~400-900 ms per call on this machine). Here the
 * module is compiled once; each request gets a fresh instance (fresh memory and in-memory file
 * system, so requests cannot affect one another) through Emscripten's documented Module
 * options: `instantiateWasm`, `arguments`, `print`, `printErr`, `onExit`, plus xmllint-wasm's
 * `inputFiles` (files written to the in-memory file system before main runs).
 *
 * Plain CommonJS, not TypeScript: worker threads do not inherit the tsx loader when the CLI is
 * started through bin/coincide.js.
 *
 * Protocol. workerData: { preload: [{fileName, contents}] } (schemas, written into every run).
 * Request: { id, files: [{fileName, contents}], args: string[] }.
 * Reply: { id, exitCode, stderr } or { id, error }.
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const packageDir = dirname(require.resolve('xmllint-wasm/package.json'));
// Loading the Emscripten glue also registers xmllint-wasm's own message listener on this
// port; it ignores messages without its 'xmllint-wasm' key, which ours never carry.
const createXmllint = require(join(packageDir, 'xmllint-node.js'));
const compiled = new WebAssembly.Module(readFileSync(join(packageDir, 'xmllint.wasm')));
const preload = workerData.preload;

/** 16 MiB initial, 256 MiB maximum linear memory per run (64 KiB pages). */
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 4096;

function runXmllint(files, args) {
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const finish = (exitCode) => {
      if (settled) return;
      settled = true;
      resolve({ exitCode, stderr });
    };
    createXmllint({
      inputFiles: files.concat(preload),
      arguments: args,
      wasmMemory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES }),
      instantiateWasm(imports, receiveInstance) {
        const instance = new WebAssembly.Instance(compiled, imports);
        receiveInstance(instance, compiled);
        return instance.exports;
      },
      print() {},
      printErr(text) {
        stderr += text + '\n';
      },
      onExit: finish,
      onAbort(reason) {
        stderr += 'WASM abort: ' + String(reason) + '\n';
        finish(-1);
      },
    }).then(
      () => finish(0),
      (error) => {
        stderr += String(error) + '\n';
        finish(-1);
      },
    );
  });
}

let queue = Promise.resolve();
parentPort.on('message', (message) => {
  if (!message || message.coincideXmllint !== true) return;
  queue = queue.then(async () => {
    try {
      const { exitCode, stderr } = await runXmllint(message.files, message.args);
      parentPort.postMessage({ coincideXmllint: true, id: message.id, exitCode, stderr });
    } catch (error) {
      parentPort.postMessage({ coincideXmllint: true, id: message.id, error: String(error) });
    }
  });
});
