// The rc file of an interactive bash inside a session: it sources the user's own
// ~/.bashrc, then checks each line before it runs (a preexec hook built on the DEBUG
// trap with extdebug: a non-zero return skips the command). The whole line is read
// from history once per prompt, so a loop is checked once, not per iteration.
// extdebug also makes functions and command substitutions inherit the trap, so the hook
// lets its own functions through by name (FUNCNAME), or it would skip its own resets.
// The hook arms at the very end of PROMPT_COMMAND and notes the history entry then: the
// person's own prompt hooks (pyenv, direnv, starship) run before it, unarmed, and the
// last line of a previous shell's history is never taken for the line just typed.

export function bashrc(shim: string): string {
  return `# agentguard: every line typed into this shell is checked before it runs.
[ -r "$HOME/.bashrc" ] && . "$HOME/.bashrc"
__agentguard_shim=${shellQuote(shim)}
__agentguard_armed=0
__agentguard_skip=0
__agentguard_last=""
HISTCONTROL=
HISTIGNORE=
set -o history
__agentguard_prompt_begin() { __agentguard_armed=0; __agentguard_skip=0; }
__agentguard_prompt() { __agentguard_last=$(HISTTIMEFORMAT= builtin history 1); __agentguard_armed=1; }
__agentguard_preexec() {
  # extdebug makes functions and $(…) inherit this trap: our own code is not the person's line.
  case "\${FUNCNAME[1]}" in __agentguard_*) return 0 ;; esac
  case "$BASH_COMMAND" in __agentguard_prompt*) return 0 ;; esac
  [ -n "$COMP_LINE" ] && return 0
  if [ "$__agentguard_armed" = 1 ]; then
    __agentguard_armed=0
    local entry line
    entry=$(HISTTIMEFORMAT= builtin history 1)
    line="\${entry#*[0-9]  }"
    if [ -z "$entry" ] || [ "$entry" = "$__agentguard_last" ]; then
      # No line reached history since the prompt (history off, a repeat, or a command
      # run by something other than the person): check this command alone.
      line="$BASH_COMMAND"
      __agentguard_armed=1
    fi
    __agentguard_last="$entry"
    if ! "$__agentguard_shim" --agentguard-line "$line"; then
      __agentguard_skip=1
      __agentguard_armed=0
      return 1
    fi
  fi
  [ "$__agentguard_skip" = 1 ] && return 1
  return 0
}
# The person's own PROMPT_COMMAND runs between the two (without its trailing ';', which
# would make ';;').
__agentguard_pc=$PROMPT_COMMAND
while :; do case $__agentguard_pc in *';' | *' ') __agentguard_pc=\${__agentguard_pc%?} ;; *) break ;; esac; done
PROMPT_COMMAND="__agentguard_prompt_begin; \${__agentguard_pc:+$__agentguard_pc; }__agentguard_prompt"
unset __agentguard_pc
# Lines typed later cannot redefine the hook or stop it from re-arming; removing the
# trap or extdebug is refused by the guard-hook-tamper rule.
readonly -f __agentguard_preexec __agentguard_prompt_begin __agentguard_prompt
readonly PROMPT_COMMAND HISTCONTROL HISTIGNORE __agentguard_shim
shopt -s extdebug
trap '__agentguard_preexec' DEBUG
`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
