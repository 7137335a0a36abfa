package io.streamdistill.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests, answered one at a time and in order (HTTP/1.1 pipelining keeps working): each
 * request goes to the request threads, and the next is taken only once its answer is written. While a request is
 * in hand the connection stops reading, so a client that sends faster than it is answered waits in TCP, not in
 * memory.
 *
 * <p>Thread-safety: its fields are touched on the connection's event loop only; a request thread hands its answer
 * to Netty, whose write listener runs on the event loop again.
 */
final class Connection extends ChannelInboundHandlerAdapter {
  private static final Logger LOGGER = LoggerFactory.getLogger(Connection.class);

  /** A request waiting for its turn, or (request null) the answer to one that cannot be taken as it came. */
  private record Pending(HttpRequest request, HttpResponse refusal, HttpVersion version, boolean keepAlive) {}

  private final Function<HttpRequest, HttpResponse> dispatcher;
  private final Executor requestThreads;
  private final int maxBodyBytes;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private boolean busy;

  Connection(Function<HttpRequest, HttpResponse> dispatcher, Executor requestThreads, int maxBodyBytes) {
    this.dispatcher = dispatcher;
    this.requestThreads = requestThreads;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    Pending pending;
    if (message instanceof FullHttpRequest request) {
      try {
        pending = pending(request);
      } finally {
        ReferenceCountUtil.release(request);
      }
    } else if (message instanceof BodyLimit.Oversized oversized) {
      pending = new Pending(null, HttpResponse.error(413, "request body over " + maxBodyBytes + " bytes"),
          oversized.version(), oversized.keepAlive());
    } else {
      ReferenceCountUtil.release(message);
      return;
    }
    waiting.add(pending);
    if (!busy) {
      next(ctx);
    }
  }

  private static Pending pending(FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      // A request line or headers that are not HTTP, or too long: answer, then close (the stream cannot be trusted).
      return new Pending(null, HttpResponse.error(400, "malformed HTTP request: " + request.decoderResult().cause()),
          request.protocolVersion(), false);
    }
    String uri = request.uri();
    int question = uri.indexOf('?');
    String rawPath = question < 0 ? uri : uri.substring(0, question);
    String query = question < 0 ? null : uri.substring(question + 1);
    if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
      rawPath = new QueryStringDecoder(rawPath).rawPath(); // absolute form, as a proxy may send it
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>(1)).add(h.getValue()));
    byte[] body = ByteBufUtil.getBytes(request.content());
    return new Pending(new HttpRequest(request.method().name(), rawPath, query, headers, body), null,
        request.protocolVersion(), HttpUtil.isKeepAlive(request));
  }

  /** Answers the oldest waiting request, or reads on when there is none. On the event loop. */
  private void next(ChannelHandlerContext ctx) {
    Pending pending = waiting.poll();
    if (pending == null) {
      busy = false;
      ctx.channel().config().setAutoRead(true);
      return;
    }
    busy = true;
    ctx.channel().config().setAutoRead(false);
    if (pending.request() == null) {
      write(ctx, pending, pending.refusal());
    } else {
      try {
        requestThreads.execute(() -> write(ctx, pending, dispatcher.apply(pending.request())));
      } catch (RejectedExecutionException e) {
        write(ctx, new Pending(null, null, pending.version(), false),
            HttpResponse.error(503, "the server is stopping"));
      }
    }
  }

  /** Writes the answer (from any thread); the next request is taken once it is out. */
  private void write(ChannelHandlerContext ctx, Pending pending, HttpResponse answer) {
    if (ctx.executor().isShuttingDown()) {
      return; // the server is closing and this connection with it: no one is left to write to
    }
    FullHttpResponse response = new DefaultFullHttpResponse(pending.version(),
        HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    var headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
    answer.headers().forEach(headers::set);
    if (!pending.keepAlive()) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (pending.version().equals(HttpVersion.HTTP_1_0)) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ctx.writeAndFlush(response).addListener((ChannelFutureListener) future -> {
      if (!pending.keepAlive() || !future.isSuccess()) {
        waiting.clear();
        close(ctx);
      } else {
        next(ctx);
      }
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    waiting.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A peer that resets its connection is not the server's problem; anything else is worth a line.
    LOGGER.atDebug().setCause(cause).log("HTTP connection failed; closing it");
    close(ctx);
  }

  /**
   * Closes the connection, not waiting for it. Its future is not looked at: Netty counts the channel closed even
   * when closing the socket fails, and there would be nothing left to do about such a failure.
   */
  @SuppressWarnings("FutureReturnValueIgnored")
  static void close(ChannelHandlerContext ctx) {
    ctx.close();
  }
}
