package io.ferrite.replication;

/**
 * Runs {@link PartitionMover#apply()} as its own process (the part a {@code ferrite rebalance apply} CLI plays),
 * so a system test can SIGKILL it mid-plan. Arguments: throttle in bytes/s, then each group's ingress endpoints.
 * Prints {@code MOVER-PROGRESS partition=<p> entries=<n>} while copying and {@code MOVER-DONE} at the end.
 */
public final class MoverMain
{
    private MoverMain()
    {
    }

    public static void main(final String[] args)
    {
        final long throttle = Long.parseLong(args[0]);
        final String[] endpoints = new String[args.length - 1];
        System.arraycopy(args, 1, endpoints, 0, endpoints.length);
        try (ClusterAdmin admin = new ClusterAdmin(endpoints, null, 10_000_000_000L))
        {
            new PartitionMover(admin, throttle, 32, 16 * 1024, new PartitionMover.ProgressListener()
            {
                public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
                {
                    System.out.println("MOVER-PROGRESS partition=" + move.partition() + " entries=" + move.entries());
                    System.out.flush();
                }

                public void onDone(final MoveStatus move, final long pauseNs)
                {
                    System.out.println("MOVER-MOVED partition=" + move.partition());
                    System.out.flush();
                }
            }).apply();
        }
        System.out.println("MOVER-DONE");
    }
}
