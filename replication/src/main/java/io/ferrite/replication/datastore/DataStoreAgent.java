package io.ferrite.replication.datastore;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.List;

/**
 * Runs the leader's database calls off the service thread: takes {@link DataStoreTask}s from the service, calls
 * the {@link DataStore} (blocking, bounded by the store's deadlines) and hands each task back with its outcome.
 * The service turns outcomes into log messages, so nothing here touches replicated state.
 * <b>Note:</b> {@link #submit} and {@link #poll} are called by the service thread only, {@link #doWork} by the
 * agent's thread only; the two single-producer single-consumer queues order the hand-over.
 */
final class DataStoreAgent implements Agent
{
    static final int QUEUE_CAPACITY = 1024;

    private final DataStore store;
    private final OneToOneConcurrentArrayQueue<DataStoreTask> requests =
        new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final OneToOneConcurrentArrayQueue<DataStoreTask> results =
        new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private int outstanding;

    DataStoreAgent(final DataStore store)
    {
        this.store = store;
    }

    /**
     * Hand a task to the agent (service thread).
     *
     * @return false if the agent already has as many tasks as its result queue can return.
     */
    boolean submit(final DataStoreTask task)
    {
        if (outstanding >= QUEUE_CAPACITY || !requests.offer(task))
        {
            return false;
        }
        outstanding++;
        return true;
    }

    /**
     * The next finished task, or null (service thread).
     */
    DataStoreTask poll()
    {
        final DataStoreTask task = results.poll();
        if (null != task)
        {
            outstanding--;
        }
        return task;
    }

    int outstanding()
    {
        return outstanding;
    }

    public int doWork()
    {
        final DataStoreTask task = requests.poll();
        if (null == task)
        {
            return 0;
        }
        try
        {
            switch (task.type)
            {
                case DataStoreTask.LOAD:
                    task.loaded = store.load(task.key);
                    break;
                case DataStoreTask.WRITE:
                    store.storeAll(List.of(new DataStoreRecord(task.key, task.value, task.databaseVersion)));
                    break;
                default:
                    store.storeAll(task.records);
                    break;
            }
        }
        catch (final DataStoreException ex)
        {
            task.failure = ex;
        }
        catch (final RuntimeException ex)
        {
            task.failure = new DataStoreException(DataStoreException.Reason.REFUSED, "datastore failed: " + ex, ex);
        }
        task.completedNs = System.nanoTime();
        while (!results.offer(task))
        {
            Thread.onSpinWait();
        }
        return 1;
    }

    public void onClose()
    {
        store.close();
    }

    public String roleName()
    {
        return "ferrite-datastore";
    }
}
