// Contestant "hono-brisk-native": the hono-brisk app with brisk's default opted out
// (fetchOptions.fastResponse = false: the runtime's own Response), to show what it costs.
export { default } from './hono-app.js';
export const fetchOptions = { fastResponse: false };
