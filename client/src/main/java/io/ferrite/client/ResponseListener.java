package io.ferrite.client;

import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.MultiGetResponseDecoder;
import io.ferrite.codec.sbe.PartitionMapResponseDecoder;
import io.ferrite.codec.sbe.PartitionRedirectResponseDecoder;
import io.ferrite.codec.sbe.StatsResponseDecoder;

/**
 * Receives responses decoded by {@link ResponseAdapter}. A decoder passed in is valid only during the call.
 */
interface ResponseListener
{
    void onConnected(ConnectResponseDecoder decoder);

    void onGet(GetResponseDecoder decoder);

    void onPut(long correlationId, boolean stored);

    void onDelete(long correlationId, boolean deleted);

    void onMultiGet(MultiGetResponseDecoder decoder);

    void onPong(long correlationId, long timestampNs);

    void onStats(StatsResponseDecoder decoder);

    void onError(ErrorResponseDecoder decoder);

    void onRedirect(PartitionRedirectResponseDecoder decoder);

    void onPartitionMap(PartitionMapResponseDecoder decoder);
}
