export * from './errors.js';
export * from './document.js';
export * from './store.js';
export * from './models.js';
export * from './tool.js';
