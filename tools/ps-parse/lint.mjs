// Usage: node --liftoff-only lint.mjs --cmdlets FILE.json [--ops DIR] FILE.ps1|psm1 ...
// Lints PowerShell written for Windows PowerShell 5.1 under Set-StrictMode -Version 2.0, statically
// (tree-sitter's grammar; nothing runs). Prints FILE:LINE:COL: RULE-ID: message per finding and
// exits 1 when there is any, 0 when none, 2 on a usage error. --cmdlets: cmdlet metadata (the
// format of cmdlets.json); --ops: a directory of <op>.schema.json op contracts (PS100 needs it).
//
// Rules, one a line: what each catches / what it does not catch.
// PS000 syntax error: each ERROR or MISSING node (PS7 operators become PS301) / syntax the grammar accepts but 5.1 rejects.
// PS100 args-keys: in a function the dispatch switch (switch on $x.op) binds to ops, $Arguments.key (param Arguments, else the first), also through `$a = $Arguments` copies and helper functions given it, must be in `required` of every bound op's args schema; .PSObject is a finding / $Arguments['key'], computed keys, copies made any other way.
// PS101 strict-mode traps: (a) a property read on a collection (X.PSObject.Properties.Name, @(...).P, (a, b).P, $v.P where every assignment of $v in its function is an array); (b) a hashtable literal given to a function of the file that reads a key the literal lacks / collections from cmdlets or .NET calls, variables also assigned otherwise (or foreach/param ones), array members (.Count, .Length), missing properties of any other object.
// PS200 unknown command: not a function of the file (or of another file linted with it), a native of the metadata (with or without .exe), nor a cmdlet / commands run with & or . and a variable or an expression.
// PS201 unknown parameter of a cmdlet, and an abbreviation ("use the full name") / parameters of the file's own functions.
// PS202 parameter set: the named and positional arguments fit no set (a missing mandatory parameter is fine when the pipeline can give it) / dynamic parameters, which parameter the pipeline really binds, commands with splatting or an unknown parameter.
// PS203 built-in alias (%, ?, select, sc = Set-Content, ...) or an alias of the metadata: use the full name / aliases that profiles or modules define.
// PS204 splatting (@var as an argument) hides parameters from the linter: every splat is reported, even of a literal hashtable.
// PS300 list wrapping: @(f ...) where f, a function of the file, returns ,$x (so .Count is 1) / lists a function returns another way, a wrapped call inside a longer @() body.
// PS301 PowerShell 7 only: ?? ??= ?. ?[ ternary && || clean{}, ForEach-Object -Parallel, ConvertFrom-Json -AsHashtable / PS7 syntax the grammar parses into an error of another shape (PS000 then), other PS7-only cmdlet parameters that the metadata lists.
// PS302 non-ASCII: any byte > 127 (5.1 reads a file without a BOM as ANSI; a UTF-8 BOM is fine when the rest is ASCII), once per line / nothing: it reads bytes.
//
// Metadata may give a parameter "valueFromRemainingArguments": true (Write-Output's -InputObject): it then takes any number of positional arguments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { powershellParser } from './grammar.mjs';

// ---------------------------------------------------------------- command line

function usage(message) {
  process.stderr.write(`lint.mjs: ${message}\nusage: node --liftoff-only lint.mjs --cmdlets FILE.json [--ops DIR] FILE.ps1|psm1 ...\n`);
  process.exit(2);
}

function commandLine(argv) {
  const options = { cmdlets: null, ops: null, files: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cmdlets' || argv[i] === '--ops') {
      if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
      options[argv[i].slice(2)] = argv[++i];
    } else if (argv[i].startsWith('--')) {
      usage(`unknown option ${argv[i]}`);
    } else {
      options.files.push(argv[i]);
    }
  }
  if (!options.cmdlets) usage('--cmdlets is required');
  if (options.files.length === 0) usage('no file to lint');
  return options;
}

// ---------------------------------------------------------------- inputs

// Windows PowerShell 5.1's built-in aliases (Get-Alias on a fresh Windows Server), alias -> command.
const BUILTIN_ALIASES = Object.fromEntries(Object.entries({
  'ForEach-Object': ['%', 'foreach'], 'Where-Object': ['?', 'where'], 'Select-Object': ['select'],
  'Sort-Object': ['sort'], 'Group-Object': ['group'], 'Measure-Object': ['measure'], 'Tee-Object': ['tee'],
  'Compare-Object': ['compare', 'diff'], 'Get-ChildItem': ['gci', 'ls', 'dir'], 'Get-Content': ['gc', 'cat', 'type'],
  'Set-Content': ['sc'], 'Add-Content': ['ac'], 'Clear-Content': ['clc'], 'Get-Item': ['gi'], 'Set-Item': ['si'],
  'New-Item': ['ni'], 'Remove-Item': ['ri', 'rm', 'rmdir', 'del', 'erase', 'rd'], 'Copy-Item': ['copy', 'cp', 'cpi'],
  'Move-Item': ['move', 'mv', 'mi'], 'Rename-Item': ['ren', 'rni'], 'Clear-Item': ['cli'], 'Invoke-Item': ['ii'],
  'Get-ItemProperty': ['gp'], 'Set-ItemProperty': ['sp'], 'Remove-ItemProperty': ['rp'], 'Get-ItemPropertyValue': ['gpv'],
  'Copy-ItemProperty': ['cpp'], 'Move-ItemProperty': ['mp'], 'Rename-ItemProperty': ['rnp'], 'Clear-ItemProperty': ['clp'],
  'Get-Location': ['gl', 'pwd'], 'Set-Location': ['sl', 'cd', 'chdir'], 'Push-Location': ['pushd'], 'Pop-Location': ['popd'],
  'Write-Output': ['echo', 'write'], 'Get-Process': ['gps', 'ps'], 'Stop-Process': ['spps', 'kill'], 'Start-Process': ['saps', 'start'],
  'Get-Service': ['gsv'], 'Start-Service': ['sasv'], 'Stop-Service': ['spsv'], 'Get-Command': ['gcm'], 'Get-Member': ['gm'],
  'Get-Alias': ['gal'], 'Set-Alias': ['sal'], 'New-Alias': ['nal'], 'Get-Variable': ['gv'], 'Set-Variable': ['sv', 'set'],
  'New-Variable': ['nv'], 'Remove-Variable': ['rv'], 'Clear-Variable': ['clv'], 'Invoke-Expression': ['iex'],
  'Invoke-Command': ['icm'], 'Invoke-WebRequest': ['iwr', 'curl', 'wget'], 'Invoke-RestMethod': ['irm'],
  'Get-WmiObject': ['gwmi'], 'Invoke-WmiMethod': ['iwmi'], 'Remove-WmiObject': ['rwmi'], 'Set-WmiInstance': ['swmi'],
  'Import-Module': ['ipmo'], 'Get-Module': ['gmo'], 'Remove-Module': ['rmo'], 'New-Module': ['nmo'],
  'Format-List': ['fl'], 'Format-Table': ['ft'], 'Format-Wide': ['fw'], 'Format-Custom': ['fc'], 'Format-Hex': ['fhx'],
  'Start-Sleep': ['sleep'], 'Select-String': ['sls'], 'Get-Unique': ['gu'], 'Convert-Path': ['cvpa'], 'Resolve-Path': ['rvpa'],
  'Get-PSDrive': ['gdr'], 'New-PSDrive': ['ndr', 'mount'], 'Remove-PSDrive': ['rdr'], 'Get-History': ['ghy', 'h', 'history'],
  'Invoke-History': ['ihy', 'r'], 'Clear-History': ['clhy'], 'Clear-Host': ['clear', 'cls'], 'Get-Job': ['gjb'],
  'Start-Job': ['sajb'], 'Receive-Job': ['rcjb'], 'Remove-Job': ['rjb'], 'Wait-Job': ['wjb'], 'Stop-Job': ['spjb'],
  'Export-Csv': ['epcsv'], 'Import-Csv': ['ipcsv'], 'Out-Host': ['oh'], 'Out-GridView': ['ogv'], 'Get-Clipboard': ['gcb'],
  'Set-Clipboard': ['scb'], 'New-PSSession': ['nsn'], 'Get-PSSession': ['gsn'], 'Remove-PSSession': ['rsn'],
  'Enter-PSSession': ['etsn'], 'Exit-PSSession': ['exsn'], 'Get-PSCallStack': ['gcs'], 'Get-TimeZone': ['gtz'],
  'Set-TimeZone': ['stz'], 'Get-ComputerInfo': ['gin'], 'Trace-Command': ['trcm'], 'Show-Command': ['shcm'],
}).flatMap(([command, aliases]) => aliases.map((alias) => [alias, command])));

// Words the grammar may leave as a command name in broken or unusual code: never commands.
const KEYWORDS = new Set(['begin', 'process', 'end', 'dynamicparam', 'data', 'filter', 'workflow', 'configuration',
  'in', 'do', 'until', 'while', 'trap', 'using', 'class', 'enum', 'param', 'function', 'return', 'throw', 'exit']);

class Metadata {
  constructor(json) {
    this.common = new Map();
    for (const name of json.commonParameters ?? []) this.common.set(name.toLowerCase(), name);
    for (const [alias, name] of Object.entries(json.commonAliases ?? {})) this.common.set(alias.toLowerCase(), name);
    this.commands = new Map();
    this.commandAliases = new Map();
    for (const [name, command] of Object.entries(json.commands ?? {})) {
      const entry = { name, ...command, index: new Map(), sets: new Map() };
      for (const [param, spec] of Object.entries(command.parameters ?? {})) {
        const p = { name: param, ...spec };
        entry.index.set(param.toLowerCase(), p);
        for (const alias of spec.aliases ?? []) entry.index.set(alias.toLowerCase(), p);
      }
      for (const [set, spec] of Object.entries(command.parameterSets ?? {})) {
        entry.sets.set(set, new Map(Object.entries(spec.parameters ?? {}).map(([p, s]) => [p.toLowerCase(), s])));
      }
      this.commands.set(name.toLowerCase(), entry);
      for (const alias of command.aliases ?? []) this.commandAliases.set(alias.toLowerCase(), name);
    }
    this.native = new Set(Object.keys(json.native ?? {}).map((n) => n.toLowerCase()));
  }

  isNative(name) {
    return this.native.has(name) || this.native.has(name + '.exe');
  }
}

class OpContracts {
  constructor(dir) {
    this.dir = dir;
    this.cache = new Map();
  }

  /** { file, required: Set(lowercase), properties: Set(lowercase) } or null when the op has no schema. */
  args(op) {
    if (!this.cache.has(op)) {
      const file = join(this.dir, `${op}.schema.json`);
      let contract = null;
      try {
        const args = JSON.parse(readFileSync(file, 'utf8')).$defs?.args ?? {};
        const lower = (list) => new Set((list ?? []).map((k) => k.toLowerCase()));
        contract = { file, required: lower(args.required), properties: lower(Object.keys(args.properties ?? {})) };
      } catch (e) {
        if (e.code !== 'ENOENT') throw new Error(`${file}: ${e.message}`);
      }
      this.cache.set(op, contract);
    }
    return this.cache.get(op);
  }
}

// ---------------------------------------------------------------- syntax tree

// Single-child layers of the grammar's precedence chain: core() looks through them.
const WRAPPERS = new Set(['pipeline', 'pipeline_chain', 'logical_expression', 'bitwise_expression', 'comparison_expression',
  'additive_expression', 'multiplicative_expression', 'format_expression', 'range_expression', 'array_literal_expression',
  'unary_expression', 'left_assignment_expression', 'statement_list', 'argument_expression', 'logical_argument_expression',
  'bitwise_argument_expression', 'comparison_argument_expression', 'additive_argument_expression',
  'multiplicative_argument_expression', 'format_argument_expression', 'range_argument_expression']);

function kids(node) {
  return node.namedChildren.filter((c) => c.type !== 'comment');
}

function core(node) {
  // A cast is an expression_with_unary_operator of one child, the cast_expression.
  while (node && (WRAPPERS.has(node.type) || (node.type === 'expression_with_unary_operator' && node.childCount === 1))) {
    const inner = kids(node);
    if (inner.length !== 1) break;
    node = inner[0];
  }
  return node;
}

/** A variable's name as PowerShell resolves it: lower case, without $ or @, braces or local:. */
function variableName(node) {
  if (!node || node.type !== 'variable') return null;
  let name = node.text.replace(/^[$@]/, '').replace(/^\{(.*)\}$/, '$1').toLowerCase();
  return name.startsWith('local:') ? name.slice(6) : name;
}

function variableOf(node) {
  return variableName(core(node));
}

function unquote(text) {
  if (/^'[^']*'$/.test(text) || /^"[^"$`]*"$/.test(text)) return text.slice(1, -1);
  return null;
}

/** The property a member_access reads, or null for a computed one. */
function memberName(access) {
  const last = access.namedChild(access.namedChildCount - 1);
  if (last.type === 'member_name') return last.text;
  if (last.type === 'string_literal') return unquote(last.text);
  return null;
}

function isStatic(access) {
  return access.children.some((c) => c.type === '::');
}

function isUnaryComma(node) {
  return node?.type === 'expression_with_unary_operator' && node.child(0).type === ',';
}

/** True when node is (part of) the target of an assignment. */
function isAssignmentTarget(node) {
  let n = node.parent;
  while (n && (WRAPPERS.has(n.type) || n.type === 'member_access') && n.type !== 'left_assignment_expression') n = n.parent;
  return n?.type === 'left_assignment_expression';
}

function enclosing(node, type) {
  for (let n = node.parent; n; n = n.parent) if (n.type === type) return n;
  return null;
}

function position(node) {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

// ---------------------------------------------------------------- one file

class FileLint {
  constructor(file, bytes, parser, metadata, ops) {
    this.file = file;
    this.elsewhere = new Set(); // functions of the other files linted with this one
    this.bytes = bytes;
    this.metadata = metadata;
    this.ops = ops;
    this.findings = [];
    this.root = this.parse(parser, bytes.toString('utf8').replace(/^\uFEFF/, ''));
    this.functions = new Map();
    for (const node of this.root.descendantsOfType('function_statement')) {
      const fn = functionInfo(node);
      this.functions.set(fn.name.toLowerCase(), fn);
    }
  }

  /**
   * Parses text; PowerShell 7 operators the grammar rejects are reported (PS301) and replaced by
   * 5.1 syntax of the same shape, and the text parsed again, so that one finding stands for them.
   */
  parse(parser, text) {
    for (let round = 0; round < 50; round++) {
      const root = parser.parse(text).rootNode;
      if (!root.hasError) return root;
      const fixes = [];
      const walk = (node) => {
        if (node.isError) {
          const fix = ps7Fix(node, text);
          if (fix) fixes.push(fix);
          return;
        }
        for (const child of node.children) if (child.hasError || child.isError) walk(child);
      };
      walk(root);
      if (fixes.length === 0) return root;
      for (const fix of fixes.sort((a, b) => b.at - a.at)) {
        this.report(positionAt(text, fix.at), 'PS301', `${fix.what} is PowerShell 7 only; Windows PowerShell 5.1 cannot parse it`);
        text = fix.apply(text);
      }
    }
    return parser.parse(text).rootNode;
  }

  report(where, rule, message) {
    const { line, column } = where.startPosition ? position(where) : where;
    this.findings.push({ line, column, rule, message });
  }

  run() {
    this.nonAscii();
    this.syntax();
    this.commands();
    this.argsKeys();
    this.collectionReads();
    this.hashtableArguments();
    this.listWrapping();
    this.findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
    return this.findings.map((f) => `${this.file}:${f.line}:${f.column}: ${f.rule}: ${f.message}`);
  }

  /** Nodes of the given types whose nearest enclosing function is fn (null: the script's top level). */
  scoped(fn, types) {
    const from = fn ? fn.node : this.root;
    return from.descendantsOfType(types).filter((n) => (enclosing(n, 'function_statement')?.id ?? null) === (fn?.node.id ?? null));
  }

  functionOf(node) {
    const f = enclosing(node, 'function_statement');
    return f ? this.functions.get(functionInfo(f).name.toLowerCase()) : null;
  }

  // PS302
  nonAscii() {
    const start = this.bytes[0] === 0xef && this.bytes[1] === 0xbb && this.bytes[2] === 0xbf ? 3 : 0;
    let line = 1;
    let lineStart = 0;
    let reported = 0;
    for (let i = start; i < this.bytes.length; i++) {
      const b = this.bytes[i];
      if (b === 0x0a) {
        line++;
        lineStart = i + 1;
      } else if (b > 127 && reported !== line) {
        reported = line;
        const column = this.bytes.subarray(Math.max(lineStart, start), i).toString('utf8').length + 1;
        this.report({ line, column }, 'PS302', 'non-ASCII character: Windows PowerShell 5.1 reads a file without a BOM as ANSI; write it with ASCII only (`u escapes are PowerShell 7)');
      }
    }
  }

  // PS000, PS301 (syntax the grammar rejects)
  syntax() {
    const walk = (node) => {
      if (node.isError || node.isMissing) {
        this.syntaxError(node);
        return;
      }
      for (const child of node.children) walk(child);
    };
    if (this.root.hasError) walk(this.root);
    for (const tail of this.root.descendantsOfType('pipeline_chain_tail')) {
      this.report(tail, 'PS301', `pipeline chain operator ${tail.text.trim()} is PowerShell 7 only: use if ($?) or try/catch`);
    }
  }

  syntaxError(node) {
    if (node.isMissing) {
      this.report(node, 'PS000', `syntax error: missing ${node.type}`);
      return;
    }
    this.report(node, 'PS000', `syntax error: ${node.text.slice(0, 40).replace(/\s+/g, ' ').trim()}`);
  }

  // PS200, PS201, PS202, PS203, PS204, PS301 (ForEach-Object -Parallel, -AsHashtable, clean)
  commands() {
    for (const command of this.root.descendantsOfType('command')) {
      const nameNode = command.childForFieldName('command_name');
      if (!nameNode) continue;
      let name = nameNode.type === 'command_name' ? nameNode.text : unquote(nameNode.text);
      if (name === null || /^[0-9$(@'"]/.test(name)) continue; // an expression the grammar read as a command
      name = name.replace(/^[\w.]+\\(?=[\w-]+$)/, ''); // Module\Command
      const lower = name.toLowerCase();
      const args = commandArguments(command);
      if (lower === 'clean' && args.length === 1 && args[0].node.type === 'script_block_expression') {
        this.report(command, 'PS301', 'clean block is PowerShell 7 only; use finally in a try');
        continue;
      }
      if (this.functions.has(lower) || this.elsewhere.has(lower) || KEYWORDS.has(lower)) continue;
      let cmdlet = null;
      const builtin = BUILTIN_ALIASES[lower] ?? this.metadata.commandAliases.get(lower);
      if (builtin) {
        this.report(nameNode, 'PS203', `${name} is an alias of ${builtin}: use the full name in shipped code`);
        cmdlet = this.metadata.commands.get(builtin.toLowerCase());
      } else if (this.metadata.isNative(lower)) {
        continue;
      } else {
        cmdlet = this.metadata.commands.get(lower);
        if (!cmdlet) {
          this.report(nameNode, 'PS200', `unknown command ${name}: not a function of this file, a cmdlet of the metadata nor a native command`);
          continue;
        }
      }
      if (cmdlet) this.parameters(command, cmdlet, args);
    }
  }

  parameters(command, cmdlet, args) {
    const named = new Map(); // full name (lower) -> node
    let positional = 0;
    let unknown = false;
    let splatted = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (!a.parameter && isSplat(a.node)) {
        this.report(a.node, 'PS204', `splatting ${a.node.text} hides parameters from the linter: pass them by name`);
        splatted = true;
        continue;
      }
      if (!a.parameter) {
        positional++;
        continue;
      }
      const p = this.parameter(cmdlet, a);
      const hasValue = i + 1 < args.length && !args[i + 1].parameter;
      if (!p) {
        unknown = true;
        if (hasValue) i++; // its value, presumably
        continue;
      }
      named.set(p.name.toLowerCase(), a.node);
      if (hasValue && (a.colon || !p.switch)) i++;
    }
    if (!unknown && !splatted) this.parameterSet(command, cmdlet, named, positional);
  }

  /** The parameter an argument names (reporting PS201/PS301), or null. */
  parameter(cmdlet, a) {
    const given = a.parameter.toLowerCase();
    const ps7 = { 'foreach-object': 'parallel', 'convertfrom-json': 'ashashtable' }[cmdlet.name.toLowerCase()];
    if (ps7 && given.length >= 2 && ps7.startsWith(given)) {
      this.report(a.node, 'PS301', `${cmdlet.name} -${a.parameter} is PowerShell 7 only`);
      return null;
    }
    const exact = cmdlet.index.get(given);
    if (exact) return exact;
    if (this.metadata.common.has(given)) return { name: this.metadata.common.get(given), common: true, switch: false };
    const names = [...new Set([...cmdlet.index.values()].map((p) => p.name).concat([...this.metadata.common.values()]))];
    const prefixed = names.filter((n) => n.toLowerCase().startsWith(given));
    if (prefixed.length === 1) {
      this.report(a.node, 'PS201', `-${a.parameter} abbreviates -${prefixed[0]} of ${cmdlet.name}: use the full name`);
    } else if (prefixed.length > 1) {
      this.report(a.node, 'PS201', `-${a.parameter} is ambiguous for ${cmdlet.name} (${prefixed.map((n) => '-' + n).join(', ')}): use the full name`);
    } else {
      this.report(a.node, 'PS201', `${cmdlet.name} has no parameter -${a.parameter}`);
    }
    return null;
  }

  parameterSet(command, cmdlet, named, positional) {
    if (cmdlet.sets.size === 0) return;
    const piped = command.previousNamedSibling !== null && command.previousSibling?.type === '|';
    const reasons = [];
    for (const [set, params] of cmdlet.sets) {
      const reason = setMismatch(cmdlet, this.metadata, params, named, positional, piped);
      if (!reason) return;
      reasons.push(`${set}: ${reason}`);
    }
    const given = [...named.keys()].map((p) => '-' + (cmdlet.index.get(p)?.name ?? p));
    const what = [given.length ? given.join(' ') : null, positional ? `${positional} positional argument(s)` : null].filter(Boolean).join(' and ') || 'no argument';
    this.report(command, 'PS202', `${cmdlet.name} with ${what} fits no parameter set (tried ${reasons.join('; ')})`);
  }

  // PS100
  argsKeys() {
    if (!this.ops) return;
    const bound = new Map(); // function name (lower) -> Map(param -> Set(op))
    const work = [];
    const bind = (fn, param, ops) => {
      if (!param) return;
      if (!bound.has(fn.name.toLowerCase())) bound.set(fn.name.toLowerCase(), new Map());
      const params = bound.get(fn.name.toLowerCase());
      if (!params.has(param)) params.set(param, new Set());
      const set = params.get(param);
      const before = set.size;
      for (const op of ops) set.add(op);
      if (set.size !== before) work.push([fn, param]);
    };
    for (const { op, clause, fn } of this.dispatch()) {
      if (!this.ops.args(op)) {
        this.report(clause, 'PS100', `op '${op}' has no contract ${join(this.ops.dir, op + '.schema.json')}`);
        continue;
      }
      bind(fn, argumentsParameter(fn), [op]);
    }
    while (work.length) {
      const [fn, param] = work.pop();
      const names = this.copies(fn, param);
      for (const call of this.scoped(fn, ['command'])) {
        const callee = this.functions.get(call.childForFieldName('command_name')?.text?.toLowerCase());
        if (!callee) continue;
        for (const [target, value] of bindOwn(callee, commandArguments(call))) {
          if (names.has(variableOf(value))) bind(callee, target, bound.get(fn.name.toLowerCase()).get(param));
        }
      }
    }
    for (const [fnName, params] of bound) {
      const fn = this.functions.get(fnName);
      for (const [param, ops] of params) {
        for (const { access, key } of this.reads(fn, param)) this.checkKey(access, key, param, ops);
      }
    }
  }

  checkKey(access, key, param, ops) {
    const shown = access.text.replace(/\s+/g, '');
    if (key === null) return;
    if (key.toLowerCase() === 'psobject') {
      this.report(access, 'PS100', `${shown} reads the arguments' PSObject: read keys the op's args schema requires`);
      return;
    }
    const missing = [];
    for (const op of [...ops].sort()) {
      const contract = this.ops.args(op);
      if (contract.required.has(key.toLowerCase())) continue;
      const why = contract.properties.has(key.toLowerCase()) ? 'optional in' : 'not a key of';
      missing.push(`${why} op '${op}' (${contract.file})`);
    }
    if (missing.length) {
      this.report(access, 'PS100', `${shown}: '${key}' is ${missing.join(', ')}: read only the keys each op's args schema requires`);
    }
  }

  /** [{ op, clause, fn }] from switch statements on $x.op whose clauses call a function of this file. */
  dispatch() {
    const out = [];
    for (const sw of this.root.descendantsOfType('switch_statement')) {
      const condition = sw.namedChildren.find((c) => c.type === 'switch_condition');
      if (!condition || !/\.op\s*\)$/i.test(condition.text)) continue;
      for (const clause of sw.descendantsOfType('switch_clause')) {
        const label = clause.namedChildren.find((c) => c.type === 'switch_clause_condition');
        const op = label && (unquote(label.text) ?? label.text);
        const block = clause.namedChildren.find((c) => c.type === 'statement_block');
        if (!op || !block || op.toLowerCase() === 'default') continue;
        for (const call of block.descendantsOfType('command')) {
          const fn = this.functions.get(call.childForFieldName('command_name')?.text?.toLowerCase());
          if (fn) out.push({ op, clause, fn });
        }
      }
    }
    return out;
  }

  /** The variables of fn holding param's value: param and plain copies ($a = $Arguments). */
  copies(fn, param) {
    const names = new Set([param]);
    const assignments = this.scoped(fn, ['assignment_expression']);
    for (let grew = true; grew;) {
      grew = false;
      for (const a of assignments) {
        const target = variableOf(a.child(0));
        if (target && !names.has(target) && a.child(1).text === '=' && names.has(variableOf(a.childForFieldName('value')))) {
          names.add(target);
          grew = true;
        }
      }
    }
    return names;
  }

  /** [{ access, key }] for each property read of param (or a copy) in fn; key null when computed. */
  reads(fn, param) {
    const names = this.copies(fn, param);
    return this.scoped(fn, ['member_access'])
      .filter((access) => !isStatic(access) && names.has(variableOf(access.namedChild(0))))
      .map((access) => ({ access, key: memberName(access) }));
  }

  // PS101 (a). Member enumeration works on a full collection but throws under strict mode on an
  // empty one, so only reads whose object is surely a collection are flagged: the rest would be
  // guesses (what a cmdlet or a .NET call returns is unknown here).
  collectionReads() {
    const arrays = new Map(); // function node id (or 'top') -> Set of array-only variables
    for (const access of this.root.descendantsOfType('member_access')) {
      const key = memberName(access);
      if (key === null || isStatic(access) || ARRAY_MEMBERS.has(key.toLowerCase()) || isAssignmentTarget(access)) continue;
      const object = core(access.namedChild(0));
      let what = null;
      if (object.type === 'member_access' && memberName(object)?.toLowerCase() === 'properties'
          && core(object.namedChild(0)).type === 'member_access' && memberName(core(object.namedChild(0)))?.toLowerCase() === 'psobject') {
        what = 'PSObject.Properties is a collection';
      } else if (object.type === 'array_expression') {
        what = '@(...) is an array';
      } else if (object.type === 'parenthesized_expression' && isArrayValue(core(kids(object)[0]))) {
        what = '(a, b) is an array';
      } else if (object.type === 'variable') {
        const fn = this.functionOf(access);
        const scope = fn ? fn.node.id : 'top';
        if (!arrays.has(scope)) arrays.set(scope, this.arrayVariables(fn));
        if (arrays.get(scope).has(variableName(object))) what = `${object.text} holds an array`;
      }
      if (what) {
        this.report(access, 'PS101', `.${key} on a collection: ${what}, and member enumeration throws under Set-StrictMode -Version 2.0 when it is empty; loop, or use -contains/.Contains on a property list you build`);
      }
    }
  }

  /** Variables of fn's scope whose every assignment is an array value (and not parameters or loop variables). */
  arrayVariables(fn) {
    const verdict = new Map();
    for (const a of this.scoped(fn, ['assignment_expression'])) {
      const name = variableOf(a.child(0));
      if (!name) continue;
      const op = a.child(1).text;
      const array = op === '+=' || (op === '=' && isArrayValue(core(a.childForFieldName('value'))));
      verdict.set(name, (verdict.get(name) ?? true) && array);
    }
    for (const loop of this.scoped(fn, ['foreach_statement'])) {
      const v = loop.namedChildren.find((c) => c.type === 'variable');
      if (v) verdict.set(variableName(v), false);
    }
    for (const p of fn?.params ?? []) verdict.set(p.name, false);
    return new Set([...verdict].filter(([, array]) => array).map(([name]) => name));
  }

  // PS101 (b)
  hashtableArguments() {
    for (const call of this.root.descendantsOfType('command')) {
      const callee = this.functions.get(call.childForFieldName('command_name')?.text?.toLowerCase());
      if (!callee) continue;
      for (const [param, value] of bindOwn(callee, commandArguments(call))) {
        const literal = hashLiteral(value);
        if (!literal) continue;
        const keys = hashKeys(literal);
        const missing = new Set();
        for (const { key } of this.reads(callee, param)) {
          if (key !== null && !keys.has(key.toLowerCase()) && !HASHTABLE_MEMBERS.has(key.toLowerCase())) missing.add(key);
        }
        for (const key of missing) {
          const shown = callee.params.find((p) => p.name === param).shown;
          this.report(literal, 'PS101', `${callee.name} reads ${shown}.${key}, which this hashtable does not define: reading a missing key throws under Set-StrictMode -Version 2.0; add ${key} = ...`);
        }
      }
    }
  }

  // PS300
  listWrapping() {
    const wrapping = new Map(); // function name (lower) -> line of its ,$x
    for (const fn of this.functions.values()) {
      const comma = this.scoped(fn, ['expression_with_unary_operator']).find((n) => isUnaryComma(n) && isOutput(n));
      if (comma) wrapping.set(fn.name.toLowerCase(), comma.startPosition.row + 1);
    }
    if (wrapping.size === 0) return;
    for (const array of this.root.descendantsOfType('array_expression')) {
      const inner = array.namedChildren.filter((c) => c.type !== 'comment');
      if (inner.length !== 1) continue;
      let last = core(inner[0]);
      if (last?.type === 'pipeline_chain') last = kids(last).at(-1);
      if (last?.type !== 'command') continue;
      const name = last.childForFieldName('command_name')?.text;
      if (name && wrapping.has(name.toLowerCase())) {
        this.report(array, 'PS300', `@(${name} ...) wraps the one list ${name} returns with a unary comma (line ${wrapping.get(name.toLowerCase())}): .Count is always 1; drop the @() here or the comma there`);
      }
    }
  }
}

// Properties an array (or PSObject.Properties) has itself: reading them is no member enumeration.
const ARRAY_MEMBERS = new Set(['count', 'length', 'longlength', 'rank', 'syncroot', 'isreadonly', 'isfixedsize', 'issynchronized']);
const HASHTABLE_MEMBERS = new Set(['count', 'keys', 'values', 'isreadonly', 'isfixedsize', 'issynchronized', 'syncroot']);

function isSplat(node) {
  const c = core(node);
  return c?.type === 'variable' && c.text.startsWith('@');
}

function isArrayValue(node) {
  if (!node) return false;
  if (node.type === 'array_expression' || isUnaryComma(node)) return true;
  return node.type === 'array_literal_expression' && node.children.some((c) => c.type === ',');
}

/** True when a node is a statement's whole value (output, or what return gives back). */
function isOutput(node) {
  let n = node;
  while (n.parent && WRAPPERS.has(n.parent.type) && n.parent.type !== 'statement_list') n = n.parent;
  const parent = n.parent;
  if (!parent) return false;
  if (parent.type === 'flow_control_statement') return parent.child(0).type === 'return';
  return parent.type === 'statement_list' || parent.type === 'statement_block' || parent.type === 'script_block_body';
}

/**
 * For an ERROR node that is a PowerShell 7 construct: { at, what, apply(text) } where apply
 * rewrites it into 5.1 syntax the grammar accepts (same lines; columns may shift after it).
 */
function ps7Fix(node, text) {
  const replace = (at, length, by) => (t) => t.slice(0, at) + by + t.slice(at + length);
  const s = node.startIndex;
  const t = node.text;
  const clean = node.descendantsOfType('simple_name').find((n) => n.text.trim().toLowerCase() === 'clean');
  if (clean && /^\s*\{/.test(text.slice(clean.endIndex))) {
    const at = clean.startIndex + clean.text.indexOf(clean.text.trim());
    return { at, what: 'clean block', apply: replace(at, 5, 'end  ') };
  }
  const i = t.indexOf('?');
  if (i < 0) return null;
  const at = s + i;
  if (text[at + 1] === '?') {
    return text[at + 2] === '='
      ? { at, what: 'null-coalescing assignment ??=', apply: replace(at, 3, ' +=') }
      : { at, what: 'null-coalescing operator ??', apply: replace(at, 2, ' +') };
  }
  if (text[at + 1] === '.' || text[at + 1] === '[') {
    const eol = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
    return { at, what: `null-conditional access ?${text[at + 1]}`, apply: (x) => x.slice(0, at) + x.slice(at + 1, eol) + ' ' + x.slice(eol) };
  }
  const colon = /^\s/.test(text[at + 1] ?? '') ? text.slice(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)).search(/\s:(\s|$)/) : -1;
  if (colon > 0) return { at, what: 'ternary operator ? :', apply: (x) => replace(at + colon + 1, 1, '+')(replace(at, 1, '+')(x)) };
  return null;
}

function positionAt(text, index) {
  const before = text.slice(0, index);
  return { line: before.split('\n').length, column: index - before.lastIndexOf('\n') };
}

/** The hashtable literal a value is (@{...} or [ordered]@{...}), or null. */
function hashLiteral(node) {
  const c = core(node);
  if (c?.type === 'parenthesized_expression' && kids(c).length === 1) return hashLiteral(kids(c)[0]);
  if (c?.type === 'hash_literal_expression') return c;
  if (c?.type !== 'cast_expression') return null;
  const inner = kids(c).map(core).find((n) => n?.type === 'hash_literal_expression');
  return inner ?? null;
}

function hashKeys(literal) {
  const keys = new Set();
  for (const entry of literal.descendantsOfType('hash_entry')) {
    if (enclosing(entry, 'hash_literal_expression')?.id !== literal.id) continue;
    const key = entry.namedChildren.find((c) => c.type === 'key_expression');
    const text = key && (unquote(core(kids(key)[0])?.text ?? '') ?? key.text);
    if (text) keys.add(text.toLowerCase());
  }
  return keys;
}

/** { name, node, params: [{ name, isSwitch }] } of a function_statement. */
function functionInfo(node) {
  const name = node.namedChildren.find((c) => c.type === 'function_name').text;
  let list = node.namedChildren.find((c) => c.type === 'function_parameter_declaration')?.namedChildren.find((c) => c.type === 'parameter_list');
  if (!list) {
    const body = node.namedChildren.find((c) => c.type === 'script_block');
    list = body?.namedChildren.find((c) => c.type === 'param_block')?.namedChildren.find((c) => c.type === 'parameter_list');
  }
  const params = (list?.namedChildren ?? []).filter((c) => c.type === 'script_parameter').map((p) => ({
    name: variableName(p.namedChildren.find((c) => c.type === 'variable')),
    shown: p.namedChildren.find((c) => c.type === 'variable').text,
    isSwitch: p.descendantsOfType('type_literal').some((t) => t.text.toLowerCase() === '[switch]'),
  }));
  return { name, node, params };
}

/** The parameter a dispatched op's arguments bind to: $Arguments, else the first. */
function argumentsParameter(fn) {
  return (fn.params.find((p) => p.name === 'arguments') ?? fn.params[0])?.name ?? null;
}

/** [{ node, parameter?, colon? }] of a command's elements: parameters, arguments (adjacent pieces joined). */
function commandArguments(command) {
  const elements = command.namedChildren.find((c) => c.type === 'command_elements');
  if (!elements) return [];
  const out = [];
  let separated = true;
  for (const child of elements.children) {
    if (child.type === 'command_argument_sep') {
      if (child.text.trim() === ':' && out.length && out.at(-1).parameter) out.at(-1).colon = true;
      separated = true;
      continue;
    }
    if (child.type === 'comment' || child.type.includes('redirection')) continue;
    if (child.type === 'command_parameter') {
      out.push({ node: child, parameter: child.text.replace(/^-/, '').replace(/:$/, ''), colon: child.text.endsWith(':') });
    } else if (!separated && out.length && !out.at(-1).parameter && !child.text.startsWith('(')) {
      // a bareword and what touches it are one argument ("a$b"); "X(...)" is two, as in PowerShell
    } else {
      out.push({ node: child });
    }
    separated = false;
  }
  return out;
}

/** [[param, valueNode]] binding a call's arguments to a function of the file (names, then positions). */
function bindOwn(fn, args) {
  const out = [];
  const free = fn.params.filter((p) => !p.isSwitch).map((p) => p.name);
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.parameter) {
      positional.push(a.node);
      continue;
    }
    const given = a.parameter.toLowerCase();
    const p = fn.params.find((q) => q.name === given) ?? fn.params.filter((q) => q.name.startsWith(given)).at(0);
    if (!p || (p.isSwitch && !a.colon)) continue;
    if (i + 1 < args.length && !args[i + 1].parameter) out.push([p.name, args[++i].node]);
    free.splice(free.indexOf(p.name), 1);
  }
  positional.forEach((node, i) => i < free.length && out.push([free[i], node]));
  return out;
}

/** Why named/positional arguments do not fit a parameter set, or null when they do. */
function setMismatch(cmdlet, metadata, params, named, positional, piped) {
  for (const p of named.keys()) {
    if (!params.has(p) && !metadata.common.has(p)) return `no -${cmdlet.index.get(p)?.name ?? p}`;
  }
  const positions = [...params].filter(([p, s]) => !named.has(p) && Number.isInteger(s.position))
    .sort((a, b) => a[1].position - b[1].position).map(([p]) => p);
  const remaining = positions.some((p) => cmdlet.index.get(p)?.valueFromRemainingArguments);
  if (positional > positions.length && !remaining) return `takes ${positions.length} positional argument(s)`;
  const bound = new Set([...named.keys(), ...positions.slice(0, positional)]);
  for (const [p, s] of params) {
    if (!s.mandatory || bound.has(p)) continue;
    const spec = cmdlet.index.get(p) ?? {};
    const fromPipeline = s.valueFromPipeline || spec.valueFromPipeline || s.valueFromPipelineByPropertyName || spec.valueFromPipelineByPropertyName;
    if (!(piped && fromPipeline)) return `needs -${spec.name ?? p}`;
  }
  return null;
}

// ---------------------------------------------------------------- main

const options = commandLine(process.argv.slice(2));
let metadata;
try {
  metadata = new Metadata(JSON.parse(readFileSync(options.cmdlets, 'utf8')));
} catch (e) {
  usage(`cannot read the cmdlet metadata: ${e.message}`);
}
const ops = options.ops ? new OpContracts(options.ops) : null;
const parser = await powershellParser();
const lints = options.files.map((file) => {
  try {
    return new FileLint(file, readFileSync(file), parser, metadata, ops);
  } catch (e) {
    return usage(`cannot read ${file}: ${e.message}`);
  }
});
for (const lint of lints) {
  for (const other of lints) if (other !== lint) other.functions.forEach((_, name) => lint.elsewhere.add(name));
}
const lines = lints.flatMap((lint) => lint.run());
process.stdout.write(lines.map((l) => l + '\n').join(''));
process.exitCode = lines.length > 0 ? 1 : 0;
