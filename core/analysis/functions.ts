/**
 * Function definitions and the variables they declare: enough type information to know that a
 * variable is unsigned (a GUP result stored there loses its -errno), a pointer, or an on-stack
 * array (not DMA-able).
 */
import type { SyntaxNode } from '../parse/syntax';
import { TOP_LEVEL_CONTAINERS, walkTypes } from '../parse/syntax';
import { UNSIGNED_TYPE } from '../catalog/conventions';

export type VariableScope = 'param' | 'local' | 'global';

export interface Variable {
  readonly name: string;
  readonly typeText: string;
  readonly pointerDepth: number;
  readonly isArray: boolean;
  readonly isUnsigned: boolean;
  readonly isStatic: boolean;
  readonly scope: VariableScope;
  /** The declaration (or parameter_declaration) node. */
  readonly declaration: SyntaxNode;
  /** The identifier node of the declarator. */
  readonly nameNode: SyntaxNode;
  /** The initialiser, for `T x = init;`. */
  readonly init: SyntaxNode | null;
  /** Position among the parameters, for params. */
  readonly index: number;
  /** `struct foo` → `foo`, for field keys; null for other types. */
  readonly structName: string | null;
}

export interface FunctionInfo {
  readonly name: string;
  readonly nameNode: SyntaxNode;
  readonly node: SyntaxNode;
  readonly body: SyntaxNode;
  readonly params: readonly Variable[];
  /** Locals by name; where a name is declared twice (two blocks) the first wins. Computed on first use. */
  readonly locals: ReadonlyMap<string, Variable>;
  readonly returnType: string;
}

function isUnsignedType(typeText: string): boolean {
  const t = typeText
    .replace(/\b(const|volatile|register|static|extern|inline)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return UNSIGNED_TYPE.test(t);
}

interface DeclaratorShape {
  readonly nameNode: SyntaxNode | null;
  readonly pointerDepth: number;
  readonly isArray: boolean;
  readonly isFunction: boolean;
  readonly init: SyntaxNode | null;
}

/** Peels pointer/array/init declarators down to the identifier. */
function declaratorShape(declarator: SyntaxNode): DeclaratorShape {
  let node: SyntaxNode | null = declarator;
  let pointerDepth = 0;
  let isArray = false;
  let isFunction = false;
  let init: SyntaxNode | null = null;
  while (node) {
    switch (node.type) {
      case 'identifier':
      case 'field_identifier':
        return { nameNode: node, pointerDepth, isArray, isFunction, init };
      case 'init_declarator':
        init = node.childForFieldName('value');
        node = node.childForFieldName('declarator');
        break;
      case 'pointer_declarator':
        pointerDepth++;
        node = node.childForFieldName('declarator');
        break;
      case 'array_declarator':
        isArray = true;
        node = node.childForFieldName('declarator');
        break;
      case 'function_declarator':
        isFunction = true;
        node = node.childForFieldName('declarator');
        break;
      case 'parenthesized_declarator':
        node = node.namedChildren[0] ?? null;
        break;
      case 'attributed_declarator':
        node = node.namedChildren[0] ?? null;
        break;
      default:
        return { nameNode: null, pointerDepth, isArray, isFunction, init };
    }
  }
  return { nameNode: null, pointerDepth, isArray, isFunction, init };
}

function structNameOf(typeNode: SyntaxNode | null): string | null {
  if (!typeNode) return null;
  if (typeNode.type === 'struct_specifier' || typeNode.type === 'union_specifier') {
    return typeNode.childForFieldName('name')?.text ?? null;
  }
  return null;
}

function hasStorage(declaration: SyntaxNode, keyword: string): boolean {
  return declaration.children.some((c) => c.type === 'storage_class_specifier' && c.text === keyword);
}

/** The variables one declaration (or parameter declaration) introduces. */
function variablesOf(declaration: SyntaxNode, scope: VariableScope, index = -1): Variable[] {
  // Declarators first: a prototype (most of a file's top-level declarations) declares no
  // variable, and its type and qualifiers need not be read.
  const shapes = declaration
    .childrenForFieldName('declarator')
    .map(declaratorShape)
    .filter((shape) => shape.nameNode && !shape.isFunction);
  if (shapes.length === 0) return [];
  const typeNode = declaration.childForFieldName('type');
  const typeText = typeNode?.text ?? '';
  const qualifiers = declaration.children
    .filter((c) => c.type === 'type_qualifier')
    .map((c) => c.text)
    .join(' ');
  const fullType = `${qualifiers} ${typeText}`.trim();
  const isStatic = hasStorage(declaration, 'static');
  const result: Variable[] = [];
  for (const shape of shapes) {
    if (!shape.nameNode) continue;
    result.push({
      name: shape.nameNode.text,
      typeText: fullType,
      pointerDepth: shape.pointerDepth,
      isArray: shape.isArray,
      isUnsigned: shape.pointerDepth === 0 && !shape.isArray && isUnsignedType(fullType),
      isStatic,
      scope,
      declaration,
      nameNode: shape.nameNode,
      init: shape.init,
      index,
      structName: structNameOf(typeNode),
    });
  }
  return result;
}

function functionDeclarator(definition: SyntaxNode): SyntaxNode | null {
  let node = definition.childForFieldName('declarator');
  while (node && node.type !== 'function_declarator') {
    node = node.childForFieldName('declarator') ?? node.namedChildren[0] ?? null;
  }
  return node;
}

export function functionInfo(definition: SyntaxNode): FunctionInfo | null {
  const body = definition.childForFieldName('body');
  const declarator = functionDeclarator(definition);
  if (!body || !declarator) return null;
  const nameNode = declarator.childForFieldName('declarator');
  if (!nameNode || nameNode.type !== 'identifier') return null;
  // Parameters and locals are collected on first use: most functions of a file are never analysed.
  let params: Variable[] | null = null;
  const collectParams = (): Variable[] => {
    if (params) return params;
    const found: Variable[] = [];
    let index = 0;
    for (const p of declarator.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p.type !== 'parameter_declaration') continue;
      found.push(...variablesOf(p, 'param', index));
      index++;
    }
    params = found;
    return found;
  };
  let locals: Map<string, Variable> | null = null;
  const collectLocals = (): Map<string, Variable> => {
    if (locals) return locals;
    const found = new Map<string, Variable>();
    walkTypes(
      body,
      (type) => (type === 'declaration' ? 'visit' : STATEMENT_OR_BLOCK.has(type) ? 'descend' : 'skip'),
      (node) => {
        for (const v of variablesOf(node, 'local')) if (!found.has(v.name)) found.set(v.name, v);
      },
    );
    locals = found;
    return found;
  };
  return {
    name: nameNode.text,
    nameNode,
    node: definition,
    body,
    get params() {
      return collectParams();
    },
    get locals() {
      return collectLocals();
    },
    get returnType() {
      return definition.childForFieldName('type')?.text ?? '';
    },
  };
}

/** Where declarations can be: inside blocks and statements, not inside expressions. */
const STATEMENT_OR_BLOCK = new Set([
  'compound_statement',
  'if_statement',
  'else_clause',
  'for_statement',
  'while_statement',
  'do_statement',
  'switch_statement',
  'case_statement',
  'labeled_statement',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'attributed_statement',
  'ERROR',
]);

/** Top-level containers a function definition or file-scope declaration can sit in. */
const TOP_LEVEL = new Set([...TOP_LEVEL_CONTAINERS, 'ERROR']);

/** Function definitions in a translation unit, including those inside `#ifdef` blocks. */
export function functionsIn(root: SyntaxNode): FunctionInfo[] {
  const found: FunctionInfo[] = [];
  walkTypes(
    root,
    (type) => (type === 'function_definition' ? 'visit' : TOP_LEVEL.has(type) ? 'descend' : 'skip'),
    (node) => {
      const info = functionInfo(node);
      if (info) found.push(info);
    },
  );
  // Code that did not parse as a function (a truncated file, a missing parenthesis) is still
  // analysed as best it can be, as a function with no name: its calls are still the driver's.
  if (root.hasError) {
    for (const node of root.namedChildren) {
      if (node.type !== 'ERROR' || !node.text.includes('(')) continue;
      found.push(unparsedFunction(node));
    }
  }
  return found;
}

export function unparsedFunction(node: SyntaxNode): FunctionInfo {
  let locals: Map<string, Variable> | null = null;
  return {
    name: '(unparsed code)',
    nameNode: node,
    node,
    body: node,
    params: [],
    get locals() {
      if (!locals) {
        locals = new Map();
        walkTypes(
          node,
          (type) => (type === 'declaration' ? 'visit' : STATEMENT_OR_BLOCK.has(type) ? 'descend' : 'skip'),
          (d) => {
            for (const v of variablesOf(d, 'local')) if (!locals?.has(v.name)) locals?.set(v.name, v);
          },
        );
      }
      return locals;
    },
    returnType: '',
  };
}

/** File-scope variables (outside any function). */
export function globalsIn(root: SyntaxNode): Map<string, Variable> {
  const globals = new Map<string, Variable>();
  walkTypes(
    root,
    (type) => (type === 'declaration' ? 'visit' : TOP_LEVEL.has(type) ? 'descend' : 'skip'),
    (node) => {
      for (const v of variablesOf(node, 'global')) globals.set(v.name, v);
    },
  );
  return globals;
}

/** The variable `name` as seen from inside `fn`: a local, a parameter, or a global. */
export function lookupVariable(
  fn: FunctionInfo,
  globals: ReadonlyMap<string, Variable>,
  name: string,
): Variable | undefined {
  return fn.locals.get(name) ?? fn.params.find((p) => p.name === name) ?? globals.get(name);
}
