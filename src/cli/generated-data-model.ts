/**
 * `_generated/dataModel.d.ts`: the app's `DataModel`, `TableNames`, `Doc` and
 * `Id` types.
 *
 * With a `schema.ts` (or `schema.js`) the types are inferred from its default
 * export through `typeof import("../schema.js")`, as the Convex CLI does by
 * default; without one they are permissive (`Doc = any`). The CLI's optional
 * static form, which spells every table out from a deployment's analysis of
 * the schema, is not produced.
 */
import { docComment, generatedFile } from './generated-file.ts';
import type { GeneratedFile } from './generated-file.ts';

const DESCRIPTION = 'Generated data model types.';

/** The only schema file names the Convex CLI looks for. */
const SCHEMA_FILES = new Set(['schema.ts', 'schema.js']);

const TABLE_NAMES_DOC = docComment('The names of all of your Convex tables.');

const DOC_DOC = 'The type of a document stored in Convex.';

const ID_DOC = `An identifier for a document in Convex.

Convex documents are uniquely identified by their \`Id\`, which is accessible
on the \`_id\` field. To learn more, see [Document IDs](https://docs.convex.dev/using/document-ids).

Documents can be loaded using \`db.get(tableName, id)\` in query and mutation functions.

IDs are just strings at runtime, but this type can be used to distinguish them from other
strings when type checking.`;

const TYPE_PARAM = `

@typeParam TableName - A string literal type of the table name (like "users").`;

const DATA_MODEL_DOC = docComment(`A type describing your Convex data model.

This type includes information about what tables you have, the type of
documents stored in those tables, and the indexes defined on them.

This type is used to parameterize methods like \`queryGeneric\` and
\`mutationGeneric\` to make them type-safe.`);

const fromSchema = [
  `import type {
  DataModelFromSchemaDefinition,
  DocumentByName,
  TableNamesInDataModel,
  SystemTableNames,
} from "convex/server";
import type { GenericId } from "convex/values";
import schema from "../schema.js";`,
  `${TABLE_NAMES_DOC}
export type TableNames = TableNamesInDataModel<DataModel>;`,
  `${docComment(DOC_DOC + TYPE_PARAM)}
export type Doc<TableName extends TableNames> = DocumentByName<
  DataModel,
  TableName
>;`,
  `${docComment(ID_DOC + TYPE_PARAM)}
export type Id<TableName extends TableNames | SystemTableNames> =
  GenericId<TableName>;`,
  `${DATA_MODEL_DOC}
export type DataModel = DataModelFromSchemaDefinition<typeof schema>;`,
];

const permissive = [
  `import { AnyDataModel } from "convex/server";
import type { GenericId } from "convex/values";`,
  docComment(`No \`schema.ts\` file found!

This generated code has permissive types like \`Doc = any\` because
Convex doesn't know your schema. If you'd like more type safety, see
https://docs.convex.dev/using/schemas for instructions on how to add a
schema file.

After you change a schema, rerun codegen with \`npx convex dev\`.`),
  `${TABLE_NAMES_DOC}
export type TableNames = string;`,
  `${docComment(DOC_DOC)}
export type Doc = any;`,
  `${docComment(ID_DOC)}
export type Id<TableName extends TableNames = TableNames> =
  GenericId<TableName>;`,
  `${DATA_MODEL_DOC}
export type DataModel = AnyDataModel;`,
];

/** `schema` is the schema file found at the top of the directory, if any. */
export function dataModelFile(schema: string | undefined): GeneratedFile {
  return generatedFile(
    'dataModel.d.ts',
    DESCRIPTION,
    schema !== undefined && SCHEMA_FILES.has(schema) ? fromSchema : permissive,
  );
}
