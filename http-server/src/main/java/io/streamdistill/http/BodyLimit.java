package io.streamdistill.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Netty's aggregator with the server's own answer to a body over the limit: instead of writing a bare 413 out of
 * turn, it passes an {@link Oversized} on, so that the 413 (with an {@code {"error"}} body) is answered in the
 * connection's order like any other. As Netty's own: the rest of such a body is read and dropped, and the
 * connection is kept only where that is safe (a known length on a kept-alive connection).
 */
final class BodyLimit extends HttpObjectAggregator {

  /** In place of a request whose body is over the limit. */
  record Oversized(io.netty.handler.codec.http.HttpVersion version, boolean keepAlive) {}

  BodyLimit(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    if (oversized instanceof HttpRequest) {
      boolean close = oversized instanceof FullHttpMessage
          || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
      ctx.fireChannelRead(new Oversized(oversized.protocolVersion(), !close));
    } else {
      Connection.close(ctx);
    }
  }
}
