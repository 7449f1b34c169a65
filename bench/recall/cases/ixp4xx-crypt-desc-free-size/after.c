static int setup_crypt_desc(void)
{
	struct device *dev = &pdev->dev;

	BUILD_BUG_ON(!(IS_ENABLED(CONFIG_COMPILE_TEST) &&
		       IS_ENABLED(CONFIG_64BIT)) &&
		     sizeof(struct crypt_ctl) != 64);
	crypt_virt = dma_alloc_coherent(dev,
					NPE_QLEN * sizeof(struct crypt_ctl),
					&crypt_phys, GFP_ATOMIC);
	if (!crypt_virt)
		return -ENOMEM;
	return 0;
}

static void release_ixp_crypto(struct device *dev)
{
	qmgr_disable_irq(recv_qid);
	tasklet_kill(&crypto_done_tasklet);

	qmgr_release_queue(send_qid);
	qmgr_release_queue(recv_qid);

	dma_pool_destroy(ctx_pool);
	dma_pool_destroy(buffer_pool);

	npe_release(npe_c);

	if (crypt_virt)
		dma_free_coherent(dev, NPE_QLEN * sizeof(struct crypt_ctl),
				  crypt_virt, crypt_phys);
}
