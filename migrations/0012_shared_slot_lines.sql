-- warden_take_rate_slots now also names the bucket that makes a call wait, so that of one process's
-- calls waiting on a bucket only the first asks again, and counts a slot still in flight as if it were
-- answered now: its window starts at its answer, so room cannot come sooner than a window from now.
DROP FUNCTION warden_take_rate_slots(text[], integer[], double precision[], double precision);
--> statement-breakpoint
CREATE FUNCTION warden_take_rate_slots(bucket_ids text[], limits integer[], windows_ms double precision[], in_flight_ms double precision)
RETURNS TABLE (wait_ms double precision, slot timestamptz, blocked_by text)
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  bucket_id text;
  live timestamptz[];
  bucket_wait double precision;
  longest double precision := 0;
  longest_id text;
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
    bucket_wait := coalesce((
      SELECT extract(epoch FROM b.held_until - clock_timestamp()) * 1000
      FROM rate_buckets AS b WHERE b.id = bucket_ids[i] AND b.held_until > clock_timestamp()
    ), 0);
    IF cardinality(live) >= limits[i] THEN
      -- Room comes when the slot that makes the bucket full leaves the window.
      bucket_wait := greatest(bucket_wait, extract(epoch FROM
        least(live[cardinality(live) - limits[i] + 1], clock_timestamp()) + make_interval(secs => windows_ms[i] / 1000) - clock_timestamp()) * 1000);
    END IF;
    IF bucket_wait > longest THEN
      longest := bucket_wait;
      longest_id := bucket_ids[i];
    END IF;
    UPDATE rate_buckets SET slots = live WHERE id = bucket_ids[i];
  END LOOP;
  IF longest > 0 THEN
    RETURN QUERY SELECT greatest(longest, 1), NULL::timestamptz, longest_id;
    RETURN;
  END IF;
  UPDATE rate_buckets SET slots = array_append(slots, reserved) WHERE id = ANY (bucket_ids);
  RETURN QUERY SELECT 0::double precision, reserved, NULL::text;
END;
$$;
