import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Inserts and lookups by fixed SQL, built once from TypeORM's own entity metadata, with every
 * value converted by the driver exactly as TypeORM would (transformers, JSON, booleans). The
 * flow's stores run a handful of these per request, and TypeORM's query builder cost more CPU
 * than the database itself on such paths (docs/benchmarks.md).
 */
export class FixedSql<T extends ObjectLiteral> {
  private readonly columns: ColumnMetadata[];
  /** What an insert gives: every column but those the database numbers itself (auto-increment ids). */
  private readonly inserted: ColumnMetadata[];
  private readonly table: string;
  private readonly columnList: string;
  private readonly insertSql: string;
  private readonly selects = new Map<string, string>();
  private readonly updates = new Map<string, string>();
  private readonly byProperty: Map<string, ColumnMetadata>;

  constructor(
    private readonly dataSource: DataSource,
    target: EntityTarget<T>,
  ) {
    const meta = dataSource.getMetadata(target);
    this.columns = meta.columns;
    this.table = `"${meta.tableName}"`;
    this.columnList = this.columns.map((c) => `"${c.databaseName}"`).join(', ');
    this.inserted = this.columns.filter((c) => !(c.isGenerated && c.generationStrategy === 'increment'));
    this.insertSql = `INSERT INTO ${this.table} (${this.inserted.map((c) => `"${c.databaseName}"`).join(', ')}) VALUES (${this.inserted.map((_, i) => this.param(i + 1)).join(', ')})`;
    this.byProperty = new Map(this.columns.map((c) => [c.propertyName, c]));
  }

  async insert(entity: T, manager?: EntityManager): Promise<void> {
    const driver = this.dataSource.driver;
    const params = this.inserted.map((c) => driver.preparePersistentValue(c.getEntityValue(entity), c));
    await (manager ?? this.dataSource).query(this.insertSql, params);
  }

  /**
   * The first row matching `where`, a SQL condition over database column names with `$1`, `$2`…
   * placeholders (rewritten to `?` for SQLite), optionally ending with ORDER BY. The statement
   * text is built once per condition.
   */
  async findOne(where: string, params: unknown[], manager?: EntityManager): Promise<T | undefined> {
    let sql = this.selects.get(where);
    if (!sql) {
      const condition = this.dataSource.options.type === 'postgres' ? where : where.replace(/\$\d+/g, '?');
      sql = `SELECT ${this.columnList} FROM ${this.table} WHERE ${condition} LIMIT 1`;
      this.selects.set(where, sql);
    }
    const [row] = (await (manager ?? this.dataSource).query(sql, params)) as Record<string, unknown>[];
    return row ? this.hydrate(row) : undefined;
  }

  /**
   * `UPDATE … SET <set> WHERE <where>`, the single-use and state-machine updates of the flow:
   * `set` maps entity properties to new values (converted as TypeORM would), `where` is a SQL
   * condition whose placeholders continue after the SET values (`$3` with two values set).
   * Returns how many rows changed.
   */
  async update(set: Partial<T>, where: string, params: unknown[], manager?: EntityManager): Promise<number> {
    return (await this.updateReturning(set, where, params, manager, '1 AS "changed"')).length;
  }

  /** As update(), returning the changed rows as entities (their new state), read by `RETURNING`. */
  async updateReturningRows(set: Partial<T>, where: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    return (await this.updateReturning(set, where, params, manager, this.columnList)).map((row) => this.hydrate(row));
  }

  private async updateReturning(set: Partial<T>, where: string, params: unknown[], manager: EntityManager | undefined, returning: string): Promise<Record<string, unknown>[]> {
    const properties = Object.keys(set);
    const key = `${properties.join(',')}|${where}|${returning}`;
    let sql = this.updates.get(key);
    if (!sql) {
      const assignments = properties.map((p, i) => `"${this.column(p).databaseName}" = ${this.param(i + 1)}`).join(', ');
      const condition = this.dataSource.options.type === 'postgres' ? where : where.replace(/\$\d+/g, '?');
      sql = `UPDATE ${this.table} SET ${assignments} WHERE ${condition} RETURNING ${returning}`;
      this.updates.set(key, sql);
    }
    const driver = this.dataSource.driver;
    const values = properties.map((p) => driver.preparePersistentValue((set as Record<string, unknown>)[p], this.column(p)));
    const raw = (await (manager ?? this.dataSource).query(sql, [...values, ...params])) as unknown[];
    // PostgreSQL answers [rows, rowCount] for an UPDATE; SQLite the rows RETURNING produced.
    return (Array.isArray(raw[0]) ? raw[0] : raw) as Record<string, unknown>[];
  }

  private column(property: string): ColumnMetadata {
    const column = this.byProperty.get(property);
    if (!column) throw new Error(`${this.table} has no column for property ${property}`);
    return column;
  }

  private hydrate(row: Record<string, unknown>): T {
    const driver = this.dataSource.driver;
    const entity = {} as T;
    for (const c of this.columns) c.setEntityValue(entity, driver.prepareHydratedValue(row[c.databaseName], c));
    return entity;
  }

  private param(n: number) {
    return this.dataSource.options.type === 'postgres' ? `$${n}` : '?';
  }
}
