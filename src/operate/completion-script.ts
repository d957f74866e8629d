/** Shell completion for nom, made from the CLI's own command list. Pure. */

export type Operand = 'job' | 'file' | 'other' | readonly string[];

const operandWord = (o: Operand) => (typeof o === 'string' ? o : `one-of:${o.join(',')}`);

export interface CompletedCommand {
  readonly name: string;
  readonly description: string;
  /** Its options: every spelling (-n, --namespace), what it does, whether a value follows. */
  readonly options: readonly { readonly names: readonly string[]; readonly description: string; readonly takesValue: boolean }[];
  /** What its operands are, in order: a job, a file, one of some words, or anything. */
  readonly operands: readonly Operand[];
  readonly subcommands?: readonly CompletedCommand[];
}

/** A description as one plain line without the characters zsh's specs give meaning to. */
const plain = (text: string) => text.replace(/[[\]:'"`$\\]/g, '').replace(/\s+/g, ' ').trim().slice(0, 80);

/**
 * bash: commands, then each command's options and operands; job names come from
 * `nom completion --jobs` (the cluster's jobs, quickly, nothing on error).
 */
export function bashCompletion(commands: readonly CompletedCommand[]): string {
  const cases = commands.map((c) => {
    const words = [...c.options.flatMap((o) => o.names), ...(c.subcommands ?? []).map((s) => s.name)].join(' ');
    const valued = c.options.filter((o) => o.takesValue).flatMap((o) => o.names).join(' ');
    return `    ${c.name}) opts="${words}"; valued="${valued}"; operands="${c.operands.map(operandWord).join(' ')}" ;;`;
  });
  return `# bash completion for nom. Load it with:  source <(nom completion bash)
_nom() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$cur"))
    return
  fi
  local opts="" valued="" operands=""
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  # The word after an option that takes a value is that value: let the default complete it.
  local prev=\${COMP_WORDS[COMP_CWORD-1]}
  if [[ " $valued " == *" $prev "* ]]; then return; fi
  # Which operand is this? Count the words before it that are neither options nor their values.
  local i n=0
  for ((i = 2; i < COMP_CWORD; i++)); do
    local w=\${COMP_WORDS[i]}
    if [[ " $valued " == *" $w "* ]]; then i=$((i + 1)); elif [[ "$w" != -* ]]; then n=$((n + 1)); fi
  done
  local kinds=($operands)
  case "\${kinds[n]}" in
    job) COMPREPLY=($(compgen -W "$(nom completion --jobs 2>/dev/null)" -- "$cur")) ;;
    file) COMPREPLY=($(compgen -f -- "$cur")) ;;
    one-of:*) local words=\${kinds[n]#one-of:}; COMPREPLY=($(compgen -W "\${words//,/ }" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
  esac
}
complete -o default -F _nom nom
`;
}

/** zsh: the same, with descriptions. */
export function zshCompletion(commands: readonly CompletedCommand[]): string {
  const cases = commands.map((c) => {
    const specs = [
      ...c.options.flatMap((o) => o.names.map((name) => `'${name}[${plain(o.description)}]${o.takesValue ? ':value: ' : ''}'`)),
      ...c.operands.map((kind, i) => `'${i + 1}:${typeof kind === 'string' ? kind : 'word'}:${kind === 'job' ? '_nom_jobs' : kind === 'file' ? '_files' : typeof kind === 'string' ? ' ' : `(${kind.join(' ')})`}'`),
    ];
    if (c.subcommands?.length) specs.push(`'1:subcommand:(${c.subcommands.map((s) => s.name).join(' ')})'`);
    return `    ${c.name}) _arguments ${specs.join(' ') || "'*: :'"} ;;`;
  });
  return `#compdef nom
# zsh completion for nom. Load it with:  source <(nom completion zsh)
_nom_jobs() {
  local -a jobs
  jobs=(\${(f)"$(nom completion --jobs 2>/dev/null)"})
  jobs=(\${jobs:#})
  (( $#jobs )) && compadd -a jobs
}
_nom() {
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${plain(c.description)}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  shift words
  (( CURRENT-- ))
  case $words[1] in
${cases.join('\n')}
  esac
}
compdef _nom nom
`;
}
