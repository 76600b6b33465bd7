import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function formatTime(timestamp: Timestamp | undefined): string {
  return timestamp ? dateTime.format(timestampDate(timestamp)) : "–";
}

/** ISO text for a <time datetime>. */
export function isoTime(timestamp: Timestamp | undefined): string | undefined {
  return timestamp ? timestampDate(timestamp).toISOString() : undefined;
}
