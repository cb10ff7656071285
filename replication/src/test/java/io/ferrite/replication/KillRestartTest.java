package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member process killed with SIGKILL restarts at once on the same directory (its dead predecessor's mark files
 * are recognised as stale through the directory lock), while a second node on a directory whose owner is alive is
 * refused before it touches anything.
 */
@Timeout(120)
class KillRestartTest
{
    @TempDir
    File tempDir;

    private MemberProcess member;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(member);
    }

    @Test
    void shouldRestartAtOnceAfterSigkillAndRefuseASecondLiveOwner()
    {
        final GroupTopology topology = GroupTopology.local(1, 19000);
        final File dir = new File(tempDir, "node-0");
        member = new MemberProcess(0, topology, dir, 0).start(true, 60_000);
        try (FerriteClient client = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))))
        {
            client.put(bytes("k"), bytes("before the kill"));
        }

        final ReplicationException refused = assertThrows(ReplicationException.class,
            () -> ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(0)
                .topology(topology)
                .baseDir(dir)
                .aeronDirectoryName(new File(tempDir, "second-driver").getPath())));
        assertTrue(refused.getMessage().contains("in use by a running process (pid=" + member.pid()),
            refused.getMessage());
        assertTrue(member.isAlive(), "the refused second node must leave the live owner alone");

        for (int restart = 0; restart < 1; restart++)
        {
            member.kill();
            member.start(false, 60_000);
            try (FerriteClient client = FerriteClient.connect(new ClientContext()
                .group(topology.ingressEndpoints(0))))
            {
                assertArrayEquals(bytes("before the kill"), client.get(bytes("k")),
                    "the acknowledged write must survive SIGKILL and restart " + restart);
                client.put(bytes("k"), bytes("before the kill"));
            }
        }
    }

    @Test
    void shouldRefuseASecondMemberOnTheSameDriverDirectoryAndKeepTheFirstServing()
    {
        final GroupTopology topology = GroupTopology.local(1, 19100);
        member = new MemberProcess(0, topology, new File(tempDir, "node-0"), 0).start(true, 60_000);
        // another base directory, so the directory lock does not stop it: the same member id and port base give it
        // the running member's media driver directory, which a driver deletes on start
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(0)
                .topology(topology)
                .baseDir(new File(tempDir, "elsewhere"))));
        assertTrue(refused.getMessage().contains("is in use by the running driver of process " + member.pid()),
            refused.getMessage());
        // the same refusal in a member process: it must exit, not linger (a launch that failed half way left the
        // shutdown barrier's hook waiting for a close that never came, and the process ignored SIGTERM)
        final MemberProcess second = new MemberProcess(0, topology, new File(tempDir, "elsewhere-process"), 0);
        try
        {
            final IllegalStateException exited =
                assertThrows(IllegalStateException.class, () -> second.start(true, 30_000));
            assertTrue(exited.getMessage().contains("exited with 1 before it was ready"), exited.getMessage());
        }
        finally
        {
            second.kill(); // not close(): that removes the member's driver directory, which is the first one's
        }
        try (FerriteClient client = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))))
        {
            client.put(bytes("k"), bytes("after the refusal"));
            assertArrayEquals(bytes("after the refusal"), client.get(bytes("k")),
                "the running member must keep serving new clients after a second one was refused");
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
