// osls loads variable files by extension and only `require`s .js/.cjs; this ESM shim hands over
// to the TypeScript module (Node 24 strips the types). Run serverless through npm/npx so Node 24 is used.
export { deploy, packagedFunctions, repoRoot } from './serverless-vars.ts';
