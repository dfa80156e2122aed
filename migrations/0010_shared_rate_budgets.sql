CREATE TABLE "rate_buckets" (
	"id" text PRIMARY KEY NOT NULL,
	"slots" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	"held_until" timestamp with time zone
);
--> statement-breakpoint
-- Takes a slot in every bucket or in none, in one call: the buckets' rows are locked in id order,
-- the slots older than each window dropped, and either a slot
-- appended to each (counted as in flight until in_flight_ms from now, or until stamped) or the
-- wait returned until every bucket has room and none is held by a 429. Times are the database's: one clock for every process.
CREATE FUNCTION warden_take_rate_slots(bucket_ids text[], limits integer[], windows_ms double precision[], in_flight_ms double precision)
RETURNS TABLE (wait_ms double precision, slot timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  bucket_id text;
  live timestamptz[];
  longest double precision := 0;
  reserved timestamptz := clock_timestamp() + make_interval(secs => in_flight_ms / 1000);
BEGIN
  -- Created or locked one by one in id order, in a single pass: a process never holds one bucket
  -- while it waits for a row another process created and locked out of that order.
  FOR bucket_id IN SELECT unnest(bucket_ids) ORDER BY 1 LOOP
    INSERT INTO rate_buckets (id) VALUES (bucket_id) ON CONFLICT (id) DO UPDATE SET slots = rate_buckets.slots;
  END LOOP;
  FOR i IN 1 .. cardinality(bucket_ids) LOOP
    SELECT ARRAY(
      SELECT s FROM unnest(b.slots) AS s
      WHERE s > clock_timestamp() - make_interval(secs => windows_ms[i] / 1000) ORDER BY s
    ) INTO live FROM rate_buckets AS b WHERE b.id = bucket_ids[i];
    longest := greatest(longest, coalesce((
      SELECT extract(epoch FROM b.held_until - clock_timestamp()) * 1000
      FROM rate_buckets AS b WHERE b.id = bucket_ids[i] AND b.held_until > clock_timestamp()
    ), 0));
    IF cardinality(live) >= limits[i] THEN
      -- Room comes when the slot that makes the bucket full leaves the window.
      longest := greatest(longest, extract(epoch FROM
        live[cardinality(live) - limits[i] + 1] + make_interval(secs => windows_ms[i] / 1000) - clock_timestamp()) * 1000);
    END IF;
    UPDATE rate_buckets SET slots = live WHERE id = bucket_ids[i];
  END LOOP;
  IF longest > 0 THEN
    RETURN QUERY SELECT greatest(longest, 1), NULL::timestamptz;
    RETURN;
  END IF;
  UPDATE rate_buckets SET slots = array_append(slots, reserved) WHERE id = ANY (bucket_ids);
  RETURN QUERY SELECT 0::double precision, reserved;
END;
$$;
--> statement-breakpoint
-- A call's answer arrived: its slot counts from now instead of from its in-flight deadline.
-- Rows are updated in id order, as warden_take_rate_slots locks them, so the two never deadlock.
CREATE FUNCTION warden_stamp_rate_slot(bucket_ids text[], reserved timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  bucket_id text;
BEGIN
  FOR bucket_id IN SELECT unnest(bucket_ids) ORDER BY 1 LOOP
    UPDATE rate_buckets SET slots = array_replace(slots, reserved, clock_timestamp()) WHERE id = bucket_id;
  END LOOP;
END;
$$;
--> statement-breakpoint
-- Roblox answered 429 with a reset: every process holds back on these buckets until then.
CREATE FUNCTION warden_hold_rate_buckets(bucket_ids text[], reset_ms double precision)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  bucket_id text;
BEGIN
  FOR bucket_id IN SELECT unnest(bucket_ids) ORDER BY 1 LOOP
    UPDATE rate_buckets SET held_until = greatest(held_until, clock_timestamp() + make_interval(secs => reset_ms / 1000))
    WHERE id = bucket_id;
  END LOOP;
END;
$$;
