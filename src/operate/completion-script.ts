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
  /** Whether the last operand repeats (`<hosts...>`). */
  readonly variadic?: boolean;
  readonly subcommands?: readonly CompletedCommand[];
}

/** A description as one plain line without the characters zsh's specs give meaning to. */
const plain = (text: string) => text.replace(/[[\]:'"`$\\]/g, '').replace(/\s+/g, ' ').trim().slice(0, 80);

/** One command's words for bash: its options and subcommands, the options that take a value, its operands. */
function bashCase(key: string, c: CompletedCommand): string {
  const words = [...c.options.flatMap((o) => o.names), ...(c.subcommands ?? []).map((s) => s.name)].join(' ');
  const valued = c.options.filter((o) => o.takesValue).flatMap((o) => o.names).join(' ');
  return `    ${key}) opts="${words}"; valued="${valued}"; operands="${c.operands.map(operandWord).join(' ')}" ;;`;
}

/**
 * bash: commands, then each command's (and each subcommand's: `nom cluster create --`) options
 * and operands; job names come from `nom completion --jobs` (the cluster's jobs, quickly,
 * nothing on error).
 */
export function bashCompletion(commands: readonly CompletedCommand[]): string {
  const cases = commands.flatMap((c) => [bashCase(c.name, c), ...(c.subcommands ?? []).map((s) => bashCase(`"${c.name} ${s.name}"`, s))]);
  const parents = commands
    .filter((c) => c.subcommands?.length)
    .map((c) => `    ${c.name}) case "\${COMP_WORDS[2]}" in ${c.subcommands!.map((s) => s.name).join('|')}) key="${c.name} \${COMP_WORDS[2]}"; first=3 ;; esac ;;`);
  return `# bash completion for nom. Load it with:  source <(nom completion bash)
_nom() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$cur"))
    return
  fi
  # The command, or the command and its subcommand once one is typed: "cluster create".
  local key=\${COMP_WORDS[1]} first=2
  if [ "$COMP_CWORD" -gt 2 ]; then
    case "$key" in
${parents.join('\n')}
    esac
  fi
  local opts="" valued="" operands=""
  case "$key" in
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
  for ((i = first; i < COMP_CWORD; i++)); do
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

/** One command's `_arguments` call for zsh: options with descriptions, operands, subcommands. */
function zshArguments(c: CompletedCommand): string {
  const specs = [
    ...c.options.flatMap((o) => o.names.map((name) => `'${name}[${plain(o.description)}]${o.takesValue ? ':value: ' : ''}'`)),
    ...c.operands.map((kind, i) => {
      // A blank action ("no completions") keeps zsh from inserting a unique option: _default instead.
      const action = kind === 'job' ? '_nom_jobs' : kind === 'file' ? '_files' : typeof kind === 'string' ? '_default' : `(${kind.join(' ')})`;
      const position = c.variadic && i === c.operands.length - 1 ? '*' : `${i + 1}`;
      return `'${position}:${typeof kind === 'string' ? kind : 'word'}:${action}'`;
    }),
  ];
  if (c.subcommands?.length) specs.push(`'1:subcommand:(${c.subcommands.map((s) => s.name).join(' ')})'`);
  return `_arguments ${specs.join(' ') || "'*: :'"}`;
}

/** zsh: the same, with descriptions. */
export function zshCompletion(commands: readonly CompletedCommand[]): string {
  const cases = commands.map((c) => {
    if (!c.subcommands?.length) return `    ${c.name}) ${zshArguments(c)} ;;`;
    const names = c.subcommands.map((s) => s.name).join('|');
    return [
      `    ${c.name})`,
      `      if (( CURRENT > 2 )) && [[ $words[2] == (${names}) ]]; then`,
      '        shift words',
      '        (( CURRENT-- ))',
      '        case $words[1] in',
      ...c.subcommands.map((s) => `          ${s.name}) ${zshArguments(s)} ;;`),
      '        esac',
      '      else',
      `        ${zshArguments(c)}`,
      '      fi ;;',
    ].join('\n');
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
