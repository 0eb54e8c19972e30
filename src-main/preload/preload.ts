// The preload of every QCC window. Bundled as CommonJS for a sandboxed
// renderer (contextIsolation on, sandbox on): it may import `electron` and
// src-shared only, and exposes exactly `window.qcc = { invoke, on }`.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL } from '../../src-shared/contract/ipc.js';
import { createQccBridge } from './qcc-bridge.js';

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createQccBridge(ipcRenderer));
