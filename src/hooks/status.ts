// hookStatus() for `agentguard doctor`: which agents have the agentguard hook, and whether
// the paths in it still exist. Kept in its own module so the doctor loads only this.
export { hookStatus, settingsFile, type HookStatus, type Scope } from './install.js';
