/** A row of the events table as both SQL stores read it. */
export interface EventRow {
  position: number;
  instance_id: string;
  aggregate_type: string;
  aggregate_id: string;
  sequence: number;
  event_type: string;
  payload: string | null;
  creator: string;
  owner: string;
  created_at: number;
}
