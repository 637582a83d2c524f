# sbsh: the rc file of the interactive bash that sbsh drives
# (`bash --rcfile sbsh-init.bash -i` in a pty, started by lib/ui/shell).
#
# It sources the user's own startup files, then routes every line typed at
# the prompt through sbsh before bash sees it: Enter runs __sbsh_hook, which
# sends the line, $PWD and the environment to sbsh and applies the answer:
#   host   the line stays as typed and bash runs it here;
#   run    the line becomes `__sbsh_run ID`: sbsh runs the prepared sandbox
#          on this terminal while this shell waits for its status;
#   say    the line becomes `__sbsh_say STATUS`: the reason is printed and
#          $? is STATUS (126 denied, 125 sandbox setup failed, 2 policy error);
#   more   the line is unfinished: a newline is added and editing goes on,
#          so sbsh plans the whole construct before bash runs any of it.
# Nothing is run when no answer comes. The rewritten line is never stored
# in history and never shown: sbsh shows the line as typed instead.
# Wire formats: lib/ui/shell/protocol.ts (FIFOs), lib/ui/shell/markers.ts
# (markers printed into the terminal output).

# The channel, taken out of the environment at once so no command inherits it.
__sbsh_dir=$SBSH_CHANNEL
__sbsh_nonce=$SBSH_NONCE
__sbsh_login=$SBSH_LOGIN
__sbsh_timeout=${SBSH_DECISION_TIMEOUT:-30}
unset SBSH_CHANNEL SBSH_NONCE SBSH_LOGIN SBSH_DECISION_TIMEOUT

# The user's startup files, as bash itself would read them.
# (Debian's bash has already read /etc/bash.bashrc.)
if [[ $__sbsh_login == 1 ]]; then
  [[ -r /etc/profile ]] && . /etc/profile
  if [[ -r ~/.bash_profile ]]; then . ~/.bash_profile
  elif [[ -r ~/.bash_login ]]; then . ~/.bash_login
  elif [[ -r ~/.profile ]]; then . ~/.profile
  fi
  if [[ -z $(trap -p EXIT) ]]; then
    __sbsh_logout() { [[ -r ~/.bash_logout ]] && . ~/.bash_logout; }
    trap __sbsh_logout EXIT
  fi
else
  [[ -r ~/.bashrc ]] && . ~/.bashrc
fi

# History of lines as typed, kept apart from plain bash's history.
__sbsh_state=${XDG_STATE_HOME:-$HOME/.local/state}/sbsh
[[ -d $__sbsh_state ]] || command mkdir -p -m 700 -- "$__sbsh_state"
HISTFILE=$__sbsh_state/history
HISTIGNORE=${HISTIGNORE:+$HISTIGNORE:}'__sbsh_run *:__sbsh_say *'

__sbsh_osc() { builtin printf '\e]7717;%s;%s\a' "$__sbsh_nonce" "$1"; }
__sbsh_reqno=0
__sbsh_seq=0
__sbsh_cur=
__sbsh_last_id=
__sbsh_status=0
__sbsh_msg=

# Enter and every other key that accepts a line expand to two private keys:
# K1 runs the hook; K2 (or K3 for operate-and-get-next) accepts the line
# only when the hook has armed it, so an interrupted or failed hook never
# lets a line through.
__sbsh_k1='\C-x\C-_1'
__sbsh_k2='\C-x\C-_2'
__sbsh_k3='\C-x\C-_3'
__sbsh_k4='\C-x\C-_4'
__sbsh_k5='\C-x\C-_5'

__sbsh_disarm() {
  builtin bind "\"$__sbsh_k2\": redraw-current-line"
  builtin bind "\"$__sbsh_k3\": redraw-current-line"
}
__sbsh_arm() {
  builtin bind "\"$__sbsh_k2\": accept-line"
  builtin bind "\"$__sbsh_k3\": operate-and-get-next"
}

# A rewritten line's history entry: the line as typed, as HISTCONTROL would keep it.
__sbsh_remember() {
  [[ $1 == ' '* && ( $HISTCONTROL == *ignorespace* || $HISTCONTROL == *ignoreboth* ) ]] && return
  builtin history -s -- "$1"
}

# The exported environment as NAME=VALUE entries, with builtins only: a fork
# and exec of env(1) on every Enter costs more than everything else here.
__sbsh_env() {
  local __sbsh_n __sbsh_names __sbsh_entries=()
  builtin compgen -e >"$__sbsh_dir/names" && builtin mapfile -t __sbsh_names <"$__sbsh_dir/names" || return
  for __sbsh_n in "${__sbsh_names[@]}"; do
    [[ -v $__sbsh_n ]] && __sbsh_entries+=("$__sbsh_n=${!__sbsh_n}")
  done
  (( ${#__sbsh_entries[@]} == 0 )) || builtin printf '%s\0' "${__sbsh_entries[@]}"
}

# The aliases bash will expand in the line: sbsh plans the expanded text.
__sbsh_aliases() {
  local __sbsh_a __sbsh_out=(0)
  if builtin shopt -q expand_aliases; then
    __sbsh_out=("${#BASH_ALIASES[@]}")
    for __sbsh_a in "${!BASH_ALIASES[@]}"; do __sbsh_out+=("$__sbsh_a" "${BASH_ALIASES[$__sbsh_a]}"); done
  fi
  builtin printf '%s\0' "${__sbsh_out[@]}"
}

__sbsh_send() {
  builtin printf '%s\0' "$@" 1<>"$__sbsh_dir/req"
}

__sbsh_hook() {
  __sbsh_disarm
  local line=$READLINE_LINE
  if [[ $line != *[![:space:]]* ]]; then
    __sbsh_arm
    return
  fi
  # sbsh plans what bash will run: history expansion (`!!`, `^a^b`) first.
  local text=$line
  if [[ $- == *H* && ( $line == *'!'* || $line == '^'* ) ]]; then
    text=$(builtin history -p -- "$line" 2>/dev/null) || text=$line
  fi
  (( ++__sbsh_reqno ))
  if ! { builtin printf '%s\0' line "$__sbsh_reqno" "$__sbsh_seq" "$text" "$PWD" "$__sbsh_last_id" "$__sbsh_status"
    __sbsh_aliases; __sbsh_env; builtin printf '.\0'; } 1<>"$__sbsh_dir/req" 2>/dev/null; then
    builtin printf 'sbsh: cannot reach sbsh (%s); the line was not run.\n' "$__sbsh_dir" >&2
    return
  fi
  local rn act id st msg
  while :; do
    if ! { IFS= read -r -d '' -t "$__sbsh_timeout" rn && IFS= read -r -d '' -t 5 act && IFS= read -r -d '' -t 5 id &&
      IFS= read -r -d '' -t 5 st && IFS= read -r -d '' -t 5 msg; } 0<>"$__sbsh_dir/resp"; then
      builtin printf 'sbsh: no decision came back in %s s; the line was not run. Press Enter to try again.\n' "$__sbsh_timeout" >&2
      return
    fi
    [[ $rn == "$__sbsh_reqno" ]] && break
  done
  case $act in
    host)
      __sbsh_cur=$id
      __sbsh_arm
      ;;
    run | say | end)
      __sbsh_cur=$id
      __sbsh_remember "$line"
      __sbsh_osc H
      if [[ $act == run ]]; then
        READLINE_LINE="__sbsh_run $id"
      else
        __sbsh_msg=$msg
        READLINE_LINE="__sbsh_say $st"
        [[ $act == end ]] && READLINE_LINE+=" end"
      fi
      READLINE_POINT=${#READLINE_LINE}
      __sbsh_arm
      ;;
    more)
      READLINE_LINE+=$'\n'
      READLINE_POINT=${#READLINE_LINE}
      ;;
    abort)
      builtin printf '%s\n' "$msg" >&2
      builtin kill -INT $$
      ;;
    *)
      builtin printf 'sbsh: unexpected answer %q; the line was not run.\n' "$act" >&2
      ;;
  esac
}

# insert-comment (M-#): comment the line out, then go through the hook like Enter.
__sbsh_comment() {
  READLINE_LINE="#$READLINE_LINE"
}

# edit-and-execute-command (C-x C-e): edit only; the result runs after Enter,
# through the hook (bash's own would run it straight away through fc).
__sbsh_edit() {
  local f
  f=$(command mktemp "${TMPDIR:-/tmp}/sbsh-edit.XXXXXX") || return
  builtin printf '%s\n' "$READLINE_LINE" >"$f"
  ${VISUAL:-${EDITOR:-vi}} "$f"
  READLINE_LINE=$(<"$f")
  READLINE_POINT=${#READLINE_LINE}
  command rm -f -- "$f"
}

# The sandboxed line ID: sbsh runs it on this terminal; this subshell stands
# in the foreground meanwhile, passes Ctrl-C / Ctrl-\ on and returns the status.
__sbsh_run() {
  (
    trap '__sbsh_send sig "$1" INT' INT
    trap '__sbsh_send sig "$1" TERM' QUIT
    # The sandbox runs in its own session: stopping this stand-in would not stop it.
    trap '' TSTP TTIN TTOU
    __sbsh_send go "$1" || exit 125
    local rid st
    while :; do
      { IFS= read -r -d '' rid && IFS= read -r -d '' st; } 0<>"$__sbsh_dir/done" || exit 125
      [[ $rid == "$1" ]] && exit "$st"
    done
  )
}

__sbsh_say() {
  builtin printf '%s\n' "$__sbsh_msg" >&2
  __sbsh_msg=
  [[ $2 == end ]] && builtin exit "$1"
  return "$1"
}

# Before each prompt (first in PROMPT_COMMAND): report how the line ended.
__sbsh_precmd() {
  local s=$?
  __sbsh_last_id=$__sbsh_cur
  if [[ -n $__sbsh_cur ]]; then
    __sbsh_osc "D;$__sbsh_cur;$s"
    __sbsh_cur=
  fi
  (( ++__sbsh_seq ))
  __sbsh_status=$s
  return $s
}

# The prompt. A distribution's default PS1 is replaced by sbsh's own (workspace,
# path inside it, last status when it is not 0); a customised PS1 is kept,
# prefixed with "(sbsh) ". Either way the prompt is wrapped in markers so sbsh
# knows what it looks like (last in PROMPT_COMMAND: after anything that sets PS1).
__sbsh_ps1_start="\\[$(__sbsh_osc P)\\]"
__sbsh_ps1_end="\\[$(__sbsh_osc Q)\\]"
__sbsh_ps0=$(__sbsh_osc X)
__sbsh_is_default_ps1() {
  local p=${1#'\[\e]0;${debian_chroot:+($debian_chroot)}\u@\h: \w\a\]'}
  case $p in
    '' | '\s-\v\$ ' | '${debian_chroot:+($debian_chroot)}\u@\h:\w\$ ' | \
      '${debian_chroot:+($debian_chroot)}\[\033[01;32m\]\u@\h\[\033[00m\]:\[\033[01;34m\]\w\[\033[00m\]\$ ')
      return 0 ;;
  esac
  return 1
}
if __sbsh_is_default_ps1 "$PS1"; then
  __sbsh_own_prompt=1
  PS1='(sbsh) ${__sbsh_where}${__sbsh_st}\$ '
fi
__sbsh_prompt() {
  local s=$?
  if [[ -n $__sbsh_own_prompt ]]; then
    local d=$PWD
    while [[ -n $d && ! -e $d/.git ]]; do d=${d%/*}; done
    if [[ -n $d ]]; then
      __sbsh_where=${d##*/}${PWD#"$d"}
    elif [[ $PWD == "$HOME" || $PWD == "$HOME"/* ]]; then
      __sbsh_where="~${PWD#"$HOME"}"
    else
      __sbsh_where=$PWD
    fi
    __sbsh_st=
    (( __sbsh_status == 0 )) || __sbsh_st=$' \001\e[31m\002['"$__sbsh_status"$']\001\e[0m\002'
  fi
  if [[ $PS1 != "$__sbsh_ps1_start"* ]]; then
    [[ -n $__sbsh_own_prompt ]] || PS1="(sbsh) $PS1"
    PS1=$__sbsh_ps1_start$PS1$__sbsh_ps1_end
  fi
  [[ $PS0 == "$__sbsh_ps0"* ]] || PS0=$__sbsh_ps0$PS0
  return $s
}
shopt -s promptvars
PROMPT_COMMAND=(__sbsh_precmd "${PROMPT_COMMAND[@]}" __sbsh_prompt)

# Key bindings, in every keymap (the user may switch to vi mode later).
__sbsh_bind_all() {
  local map fn out key re='"([^"]+)"'
  for map in emacs vi-insert vi-command; do
    builtin bind -m "$map" -x "\"$__sbsh_k1\": __sbsh_hook"
    builtin bind -m "$map" -x "\"$__sbsh_k4\": __sbsh_comment"
    builtin bind -m "$map" -x "\"$__sbsh_k5\": __sbsh_edit"
    builtin bind -m "$map" "\"$__sbsh_k2\": redraw-current-line"
    builtin bind -m "$map" "\"$__sbsh_k3\": redraw-current-line"
    for fn in accept-line operate-and-get-next insert-comment edit-and-execute-command; do
      out=$(builtin bind -m "$map" -q "$fn" 2>/dev/null)
      while [[ $out =~ $re ]]; do
        key=${BASH_REMATCH[1]}
        out=${out#*"${BASH_REMATCH[0]}"}
        case $fn in
          accept-line) builtin bind -m "$map" "\"$key\": \"$__sbsh_k1$__sbsh_k2\"" ;;
          operate-and-get-next) builtin bind -m "$map" "\"$key\": \"$__sbsh_k1$__sbsh_k3\"" ;;
          insert-comment) builtin bind -m "$map" "\"$key\": \"$__sbsh_k4$__sbsh_k1$__sbsh_k2\"" ;;
          edit-and-execute-command) builtin bind -m "$map" "\"$key\": \"$__sbsh_k5\"" ;;
        esac
      done
    done
  done
}
__sbsh_bind_all

readonly __sbsh_dir __sbsh_nonce __sbsh_timeout __sbsh_k1 __sbsh_k2 __sbsh_k3 __sbsh_k4 __sbsh_k5
readonly -f __sbsh_osc __sbsh_disarm __sbsh_arm __sbsh_remember __sbsh_aliases __sbsh_env __sbsh_send __sbsh_hook __sbsh_comment \
  __sbsh_edit __sbsh_run __sbsh_say __sbsh_precmd __sbsh_prompt __sbsh_bind_all

# Keyboard input reaches this shell only after this marker.
__sbsh_osc R
