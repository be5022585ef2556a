// How rule conditions see a command's options: its flags and positionals, and its
// subcommand. The one place conditions ask src/programs/ about a program's options.
export { optionsOf, optionTakesValue, subcommandOf } from '../../programs/index.js';
export { longFlagMatches } from '../../programs/options.js';
export { endless, hasVolume, programVolume, type Bytes, type Volume } from '../../programs/index.js';
export { parseSize } from '../../programs/volume.js';
