/** Ajv, loaded on first use (it costs startup time a small scan should not pay). */
import type { Options, ValidateFunction } from 'ajv';

export interface SchemaCompiler {
  compile(schema: object): ValidateFunction;
}

type AjvConstructor = new (options?: Options) => SchemaCompiler;
let ctor: AjvConstructor | undefined;

export async function createAjv(options: Options = {}): Promise<SchemaCompiler> {
  if (!ctor) {
    const mod = (await import('ajv')) as unknown as { default: AjvConstructor | { default: AjvConstructor } };
    ctor = typeof mod.default === 'function' ? mod.default : mod.default.default;
  }
  return new ctor({ allErrors: true, strict: false, ...options });
}
