// The contract between the local OpenSearch server and this search engine.

export interface SearchDoc {
  index: string;
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
}

export type FieldType =
  | 'text'
  | 'keyword'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'double'
  | 'float'
  | 'half_float'
  | 'scaled_float'
  | 'boolean'
  | 'date'
  | 'ip'
  | 'object'
  | 'nested'
  | 'flattened'
  | (string & {});

export interface SearchContext {
  /** Epoch millis used for `now` in date math. */
  now: number;
  /** The mapped type of a field in an index, undefined when unmapped. */
  fieldType(index: string, field: string): FieldType | undefined;
}

export interface SearchParams {
  from?: number;
  size?: number;
  sort?: string;
  _source?: string | boolean;
  _source_includes?: string;
  _source_excludes?: string;
  q?: string;
  track_total_hits?: boolean | number;
  track_scores?: boolean;
  default_operator?: string;
  df?: string;
  analyze_wildcard?: boolean;
  lenient?: boolean;
  terminate_after?: number;
  version?: boolean;
  seq_no_primary_term?: boolean;
}

export interface SearchHit {
  _index: string;
  _id: string;
  _version?: number;
  _seq_no?: number;
  _primary_term?: number;
  _score: number | null;
  _source?: unknown;
  sort?: unknown[];
}

export interface SearchResult {
  terminated_early?: boolean;
  hits: {
    /** Absent when `track_total_hits` is false, as in OpenSearch. */
    total?: { value: number; relation: 'eq' | 'gte' };
    max_score: number | null;
    hits: SearchHit[];
  };
  aggregations?: Record<string, unknown>;
}
